class CreateOrders < ActiveRecord::Migration[6.1]
  def change
    create_table :orders do |t|
      t.bigint :customer_id, null: false
      t.string :status, limit: 20, null: false
      t.integer :total, null: false
      t.timestamps
    end
    add_index :orders, :customer_id
  end
end

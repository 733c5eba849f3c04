# What safe_ddl's HINT tells the developer to write.
class AddOrdersStatusIndex < ActiveRecord::Migration[6.1]
  disable_ddl_transaction!

  def change
    add_index :orders, :status, algorithm: :concurrently
  end
end

# A constant default: no rewrite since PostgreSQL 11, allowed.
class AddOrdersPriority < ActiveRecord::Migration[6.1]
  def change
    add_column :orders, :priority, :integer, default: 0, null: false
  end
end

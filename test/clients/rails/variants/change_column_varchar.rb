# A longer varchar needs no rewrite: allowed.
class WidenOrdersStatus < ActiveRecord::Migration[6.1]
  def up
    change_column :orders, :status, :string, limit: 50
  end

  def down
    change_column :orders, :status, :string, limit: 20
  end
end

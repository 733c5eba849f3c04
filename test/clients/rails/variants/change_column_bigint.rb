# integer to bigint rewrites the table and its indexes: refused.
class WidenOrdersTotal < ActiveRecord::Migration[6.1]
  def up
    change_column :orders, :total, :bigint
  end

  def down
    change_column :orders, :total, :integer
  end
end

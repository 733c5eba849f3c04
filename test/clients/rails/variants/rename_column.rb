# A warn rule: the rename runs, with a WARNING that Rails prints.
class RenameOrdersTotal < ActiveRecord::Migration[6.1]
  def change
    rename_column :orders, :total, :amount
  end
end

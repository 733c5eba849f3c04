# The default: Rails runs the migration in one transaction.
class AddOrdersStatusIndex < ActiveRecord::Migration[6.1]
  def change
    add_index :orders, :status
  end
end

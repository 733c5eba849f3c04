# Outside a transaction but without algorithm: :concurrently: safe_ddl
# rewrites the CREATE INDEX to CREATE INDEX CONCURRENTLY itself.
class AddOrdersCreatedAtIndex < ActiveRecord::Migration[6.1]
  disable_ddl_transaction!

  def change
    add_index :orders, :created_at
  end
end

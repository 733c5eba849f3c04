# A minimal Rails application: only Active Record, no Bundler (Debian's
# ruby-railties and ruby-activerecord are on the default load path).
require "rails"
require "active_record/railtie"

module Shop
  class Application < Rails::Application
    config.load_defaults 6.1
    config.eager_load = false
    config.logger = Logger.new(nil)
    # The schema dump is not what is tested; keep the run short.
    config.active_record.dump_schema_after_migration = false
  end
end

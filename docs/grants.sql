-- The grants pg-trickle's operator role needs, and no more. Run as the database owner (or a superuser),
-- in the target database, after replacing:
--   pgtrickle_operator  the operator's role (the one in the connection Secret; CloudNativePG's <cluster>-app
--                       user may be used instead of a new role: then skip CREATE ROLE)
--   app                 the database
--   public              each schema holding tables that stream tables read (sources)
--   analytics           each schema where stream tables are stored (spec.table's schema)
--
-- What each grant is for:
--   CONNECT, CREATE ON DATABASE  connect; create the schemas pgtrickle (catalog) and pgtrickle_changes
--                                (change buffers, capture functions), which the role then owns
--   USAGE, CREATE ON SCHEMA analytics   create the storage tables there (the role owns them)
--   USAGE ON SCHEMA public       see the sources
--   SELECT ON sources            run the query (a grant on the columns read suffices; then refreshes do not
--                                lock the sources first, see docs/refresh.md)
--   TRIGGER ON sources           install change capture (statement-level triggers); the capture functions are
--                                SECURITY DEFINER, so writers need no grant on the buffers
-- Not needed: superuser, ownership of the sources, REPLICATION (until WAL capture), TEMPORARY.
-- Owning a source additionally lets capture fire under session_replication_role = replica (logical
-- replication applying into it); see docs/index.md.

CREATE ROLE pgtrickle_operator LOGIN PASSWORD 'change-me';
GRANT CONNECT, CREATE ON DATABASE app TO pgtrickle_operator;
CREATE SCHEMA IF NOT EXISTS analytics;
GRANT USAGE, CREATE ON SCHEMA analytics TO pgtrickle_operator;
GRANT USAGE ON SCHEMA public TO pgtrickle_operator;
GRANT SELECT, TRIGGER ON ALL TABLES IN SCHEMA public TO pgtrickle_operator;
-- tables created later in public by the role running this script get the same grants
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, TRIGGER ON TABLES TO pgtrickle_operator;

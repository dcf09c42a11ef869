-- +goose NO TRANSACTION
-- +goose Up
-- The admin search (a case-insensitive substring of the phone, the name or the email): one GIN index of
-- trigrams over the three expressions the query matches, which serves each LIKE of its OR (a bitmap of
-- three index scans) instead of reading every user. CONCURRENTLY: a live database keeps serving while
-- it is built, which is why this migration runs outside a transaction. Without fastupdate: new users go
-- into the index at once rather than into a pending list that only vacuum merges, which the planner
-- prices in, and which grew until it chose to read every user instead (users are written rarely: a
-- login's update of last_login_at changes no indexed column).
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_search_trgm_idx ON users
    USING gin (lower(phone) gin_trgm_ops, lower(name) gin_trgm_ops, lower(coalesce(email, '')) gin_trgm_ops)
    WITH (fastupdate = off);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS users_search_trgm_idx;

-- +goose Up
-- Trigrams, for the admin search's substring match (00051). pg_trgm ships with PostgreSQL (contrib) and
-- is a trusted extension: a role with CREATE on the database (its owner) may create it; where that is
-- not allowed, a superuser creates it once beforehand and this is a no-op (docs/production.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- +goose Down
-- The extension stays: other schemas or applications of the database may use it.
SELECT 1;

-- Add workspace_id to agents
--
-- Revision: 3f2a9c1b7d4e
-- Revises: 799f20a37e7e
-- Create Date: 2026-11-24 08:05:00+00:00

-- migrate:upgrade
ALTER TABLE agents ADD COLUMN workspace_id VARCHAR(11);

-- migrate:downgrade
ALTER TABLE agents DROP COLUMN workspace_id;

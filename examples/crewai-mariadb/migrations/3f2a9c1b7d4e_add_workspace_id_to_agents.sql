-- Add workspace_id to agents
--
-- Revision: 3f2a9c1b7d4e
-- Revises: 799f20a37e7e
-- Create Date: 2026-12-02 05:58:24+00:00

-- migrate:upgrade
ALTER TABLE agents ADD COLUMN workspace_id VARCHAR(11) AFTER created_at;
CREATE INDEX ix_agents_workspace_id ON agents (workspace_id);

-- migrate:downgrade
DROP INDEX ix_agents_workspace_id ON agents;
ALTER TABLE agents DROP COLUMN workspace_id;

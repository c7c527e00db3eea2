-- Initial schema with all models
--
-- Revision: 799f20a37e7e
-- Revises: 
-- Create Date: 2026-12-02 05:58:24+00:00

-- migrate:upgrade
CREATE TABLE agents (
	id VARCHAR(11) NOT NULL,
	`role` VARCHAR(255) NOT NULL,
	backstory TEXT NOT NULL,
	goal TEXT NOT NULL,
	llm_provider_model VARCHAR(255) NOT NULL,
	temperature FLOAT,
	max_iter INTEGER,
	allow_delegation BOOL,
	verbose BOOL,
	cache BOOL,
	created_at DATETIME,
	PRIMARY KEY (id)
);

CREATE TABLE crews (
	id VARCHAR(11) NOT NULL,
	name VARCHAR(255) NOT NULL,
	process VARCHAR(50),
	verbose BOOL,
	cache BOOL,
	max_rpm INTEGER,
	memory BOOL,
	planning BOOL,
	created_at DATETIME,
	PRIMARY KEY (id)
);

CREATE TABLE knowledge_sources (
	id VARCHAR(11) NOT NULL,
	name VARCHAR(255) NOT NULL,
	source_type VARCHAR(50) NOT NULL,
	source_path TEXT,
	content TEXT,
	meta_data JSON,
	chunk_size INTEGER,
	chunk_overlap INTEGER,
	created_at DATETIME,
	PRIMARY KEY (id)
);

CREATE TABLE tools (
	tool_id VARCHAR(12) NOT NULL,
	name VARCHAR(255) NOT NULL,
	description TEXT NOT NULL,
	parameters JSON,
	parameters_metadata JSON,
	PRIMARY KEY (tool_id)
);

CREATE TABLE agent_knowledge_sources (
	agent_id VARCHAR(11) NOT NULL,
	knowledge_source_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (agent_id, knowledge_source_id),
	FOREIGN KEY(agent_id) REFERENCES agents (id),
	FOREIGN KEY(knowledge_source_id) REFERENCES knowledge_sources (id)
);

CREATE TABLE agent_tools (
	agent_id VARCHAR(11) NOT NULL,
	tool_id VARCHAR(12) NOT NULL,
	PRIMARY KEY (agent_id, tool_id),
	FOREIGN KEY(agent_id) REFERENCES agents (id),
	FOREIGN KEY(tool_id) REFERENCES tools (tool_id)
);

CREATE TABLE crew_agents (
	crew_id VARCHAR(11) NOT NULL,
	agent_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (crew_id, agent_id),
	FOREIGN KEY(crew_id) REFERENCES crews (id),
	FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE TABLE crew_knowledge_sources (
	crew_id VARCHAR(11) NOT NULL,
	knowledge_source_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (crew_id, knowledge_source_id),
	FOREIGN KEY(crew_id) REFERENCES crews (id),
	FOREIGN KEY(knowledge_source_id) REFERENCES knowledge_sources (id)
);

CREATE TABLE tasks (
	id VARCHAR(11) NOT NULL,
	description TEXT NOT NULL,
	expected_output TEXT NOT NULL,
	async_execution BOOL,
	created_at DATETIME,
	agent_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE TABLE crew_tasks (
	crew_id VARCHAR(11) NOT NULL,
	task_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (crew_id, task_id),
	FOREIGN KEY(crew_id) REFERENCES crews (id),
	FOREIGN KEY(task_id) REFERENCES tasks (id)
);

CREATE TABLE task_async_context (
	task_id VARCHAR(11) NOT NULL,
	context_task_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (task_id, context_task_id),
	FOREIGN KEY(task_id) REFERENCES tasks (id),
	FOREIGN KEY(context_task_id) REFERENCES tasks (id)
);

CREATE TABLE task_sync_context (
	task_id VARCHAR(11) NOT NULL,
	context_task_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (task_id, context_task_id),
	FOREIGN KEY(task_id) REFERENCES tasks (id),
	FOREIGN KEY(context_task_id) REFERENCES tasks (id)
);

-- migrate:downgrade
DROP TABLE task_sync_context;
DROP TABLE task_async_context;
DROP TABLE crew_tasks;
DROP TABLE tasks;
DROP TABLE crew_knowledge_sources;
DROP TABLE crew_agents;
DROP TABLE agent_tools;
DROP TABLE agent_knowledge_sources;
DROP TABLE tools;
DROP TABLE knowledge_sources;
DROP TABLE crews;
DROP TABLE agents;

-- The models: the schema the application wants, in MySQL's dialect (MariaDB and MySQL).
-- `retort check` compares the database with this; `retort revision --autogenerate` writes the
-- migration that gets it there.

CREATE TABLE agents (
	id VARCHAR(11) NOT NULL,
	role VARCHAR(255) NOT NULL,
	backstory TEXT NOT NULL,
	goal TEXT NOT NULL,
	llm_provider_model VARCHAR(255) NOT NULL,
	temperature FLOAT,
	max_iter INTEGER,
	allow_delegation BOOLEAN,
	`verbose` BOOLEAN,
	cache BOOLEAN,
	created_at DATETIME,
	workspace_id VARCHAR(11),
	PRIMARY KEY (id)
);

CREATE INDEX ix_agents_workspace_id ON agents (workspace_id);

CREATE TABLE crews (
	id VARCHAR(11) NOT NULL,
	name VARCHAR(255) NOT NULL,
	process VARCHAR(50),
	`verbose` BOOLEAN,
	cache BOOLEAN,
	max_rpm INTEGER,
	memory BOOLEAN,
	planning BOOLEAN,
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
	async_execution BOOLEAN,
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

-- The next version of the models (the seed application's v2: users, workspaces, workspace
-- members, crew runs, multi-tenant columns with foreign keys and indexes). Copy it over
-- schema/models.sql to walk through autogenerate (see the README).

CREATE TABLE users (
	id VARCHAR(20) NOT NULL,
	email VARCHAR(255) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	name VARCHAR(100) NOT NULL,
	system_role VARCHAR(12) NOT NULL,
	status VARCHAR(9) NOT NULL,
	email_verified BOOLEAN NOT NULL,
	last_login_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_users_email ON users (email);

CREATE INDEX ix_users_status ON users (status);

CREATE INDEX ix_users_system_role ON users (system_role);

CREATE TABLE workspaces (
	id VARCHAR(20) NOT NULL,
	name VARCHAR(100) NOT NULL,
	slug VARCHAR(100) NOT NULL,
	description TEXT,
	owner_id VARCHAR(20) NOT NULL,
	"plan" VARCHAR(20) NOT NULL,
	max_members INTEGER NOT NULL,
	is_active BOOLEAN NOT NULL,
	settings JSON,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_workspaces_is_active ON workspaces (is_active);

CREATE INDEX ix_workspaces_owner_id ON workspaces (owner_id);

CREATE UNIQUE INDEX ix_workspaces_slug ON workspaces (slug);

CREATE TABLE agents (
	id VARCHAR(11) NOT NULL,
	role VARCHAR(255) NOT NULL,
	backstory TEXT NOT NULL,
	goal TEXT NOT NULL,
	llm_provider_model VARCHAR(255) NOT NULL,
	temperature FLOAT,
	max_iter INTEGER,
	allow_delegation BOOLEAN,
	"verbose" BOOLEAN,
	cache BOOLEAN,
	created_at TIMESTAMP,
	workspace_id VARCHAR(20),
	created_by VARCHAR(20),
	PRIMARY KEY (id),
	FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
	FOREIGN KEY(created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_agents_created_by ON agents (created_by);

CREATE INDEX ix_agents_workspace_id ON agents (workspace_id);

CREATE TABLE crews (
	id VARCHAR(11) NOT NULL,
	name VARCHAR(255) NOT NULL,
	process VARCHAR(50),
	"verbose" BOOLEAN,
	cache BOOLEAN,
	max_rpm INTEGER,
	memory BOOLEAN,
	planning BOOLEAN,
	created_at TIMESTAMP,
	workspace_id VARCHAR(20),
	created_by VARCHAR(20),
	PRIMARY KEY (id),
	FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
	FOREIGN KEY(created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_crews_created_by ON crews (created_by);

CREATE INDEX ix_crews_workspace_id ON crews (workspace_id);

CREATE TABLE knowledge_sources (
	id VARCHAR(11) NOT NULL,
	name VARCHAR(255) NOT NULL,
	source_type VARCHAR(50) NOT NULL,
	source_path TEXT,
	content TEXT,
	meta_data JSON,
	chunk_size INTEGER,
	chunk_overlap INTEGER,
	created_at TIMESTAMP,
	workspace_id VARCHAR(20),
	created_by VARCHAR(20),
	PRIMARY KEY (id),
	FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
	FOREIGN KEY(created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_knowledge_sources_created_by ON knowledge_sources (created_by);

CREATE INDEX ix_knowledge_sources_workspace_id ON knowledge_sources (workspace_id);

CREATE TABLE tools (
	tool_id VARCHAR(12) NOT NULL,
	name VARCHAR(255) NOT NULL,
	description TEXT NOT NULL,
	parameters JSON,
	parameters_metadata JSON,
	workspace_id VARCHAR(20),
	created_by VARCHAR(20),
	PRIMARY KEY (tool_id),
	FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
	FOREIGN KEY(created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_tools_created_by ON tools (created_by);

CREATE INDEX ix_tools_workspace_id ON tools (workspace_id);

CREATE TABLE workspace_members (
	id VARCHAR(20) NOT NULL,
	workspace_id VARCHAR(20) NOT NULL,
	user_id VARCHAR(20) NOT NULL,
	role VARCHAR(6) NOT NULL,
	permissions JSON,
	joined_at TIMESTAMP NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT unique_workspace_user UNIQUE (workspace_id, user_id),
	FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_workspace_members_role ON workspace_members (role);

CREATE INDEX ix_workspace_members_user_id ON workspace_members (user_id);

CREATE INDEX ix_workspace_members_workspace_id ON workspace_members (workspace_id);

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
	FOREIGN KEY(tool_id) REFERENCES tools (tool_id),
	FOREIGN KEY(agent_id) REFERENCES agents (id)
);

CREATE TABLE crew_agents (
	crew_id VARCHAR(11) NOT NULL,
	agent_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (crew_id, agent_id),
	FOREIGN KEY(agent_id) REFERENCES agents (id),
	FOREIGN KEY(crew_id) REFERENCES crews (id)
);

CREATE TABLE crew_knowledge_sources (
	crew_id VARCHAR(11) NOT NULL,
	knowledge_source_id VARCHAR(11) NOT NULL,
	PRIMARY KEY (crew_id, knowledge_source_id),
	FOREIGN KEY(crew_id) REFERENCES crews (id),
	FOREIGN KEY(knowledge_source_id) REFERENCES knowledge_sources (id)
);

CREATE TABLE crew_runs (
	id VARCHAR(12) NOT NULL,
	crew_id VARCHAR(11) NOT NULL,
	status VARCHAR(20) NOT NULL,
	inputs JSON,
	result TEXT,
	error TEXT,
	started_at TIMESTAMP,
	completed_at TIMESTAMP,
	PRIMARY KEY (id),
	FOREIGN KEY(crew_id) REFERENCES crews (id)
);

CREATE TABLE tasks (
	id VARCHAR(11) NOT NULL,
	description TEXT NOT NULL,
	expected_output TEXT NOT NULL,
	async_execution BOOLEAN,
	created_at TIMESTAMP,
	agent_id VARCHAR(11) NOT NULL,
	workspace_id VARCHAR(20),
	created_by VARCHAR(20),
	PRIMARY KEY (id),
	FOREIGN KEY(agent_id) REFERENCES agents (id),
	FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
	FOREIGN KEY(created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_tasks_created_by ON tasks (created_by);

CREATE INDEX ix_tasks_workspace_id ON tasks (workspace_id);

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
	FOREIGN KEY(context_task_id) REFERENCES tasks (id),
	FOREIGN KEY(task_id) REFERENCES tasks (id)
);

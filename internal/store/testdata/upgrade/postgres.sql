--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: river_job_state; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.river_job_state AS ENUM (
    'available',
    'cancelled',
    'completed',
    'discarded',
    'pending',
    'retryable',
    'running',
    'scheduled'
);


--
-- Name: agents_revision_row(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.agents_revision_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO agent_revisions (agent_id, organization_id, revision) VALUES (NEW.id, NEW.organization_id, 0)
        ON CONFLICT (agent_id) DO NOTHING;
    RETURN NULL;
END
$$;


--
-- Name: river_job_state_in_bitmask(bit, public.river_job_state); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.river_job_state_in_bitmask(bitmask bit, state public.river_job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE state
        WHEN 'available' THEN get_bit(bitmask, 7)
        WHEN 'cancelled' THEN get_bit(bitmask, 6)
        WHEN 'completed' THEN get_bit(bitmask, 5)
        WHEN 'discarded' THEN get_bit(bitmask, 4)
        WHEN 'pending'   THEN get_bit(bitmask, 3)
        WHEN 'retryable' THEN get_bit(bitmask, 2)
        WHEN 'running'   THEN get_bit(bitmask, 1)
        WHEN 'scheduled' THEN get_bit(bitmask, 0)
        ELSE 0
    END = 1;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: agent_conversation_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_conversation_stats (
    organization_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    name text NOT NULL,
    value double precision NOT NULL
);


--
-- Name: agent_revisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_revisions (
    agent_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    revision bigint NOT NULL
);


--
-- Name: agent_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_versions (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    version integer NOT NULL,
    published boolean DEFAULT false NOT NULL,
    published_at bigint,
    base_version integer,
    config jsonb NOT NULL,
    instruction_builder_inputs jsonb,
    instructions_status text DEFAULT 'idle'::text NOT NULL,
    instructions_error text,
    instructions_dirty boolean DEFAULT false NOT NULL,
    instructions_manually_edited boolean DEFAULT false NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    CONSTRAINT agent_versions_instructions_status_check CHECK ((instructions_status = ANY (ARRAY['idle'::text, 'generating'::text, 'failed'::text]))),
    CONSTRAINT agent_versions_version_check CHECK ((version >= 1))
);


--
-- Name: agents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agents (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    agent_id uuid,
    agent_version_id uuid,
    version integer,
    web_widget_id uuid,
    channel text NOT NULL,
    direction text NOT NULL,
    status text NOT NULL,
    user_id text NOT NULL,
    agent_number text,
    duration double precision,
    user_turn_count integer,
    initial_context jsonb,
    summary text,
    transcript jsonb,
    custom_metadata jsonb,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: credentials; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.credentials (
    id uuid NOT NULL,
    kind text NOT NULL,
    organization_id uuid,
    user_id uuid,
    name text NOT NULL,
    secret_hash bytea NOT NULL,
    scopes text,
    expires_at bigint,
    created_at bigint NOT NULL,
    last_used_at bigint,
    revoked_at bigint,
    CONSTRAINT credentials_check CHECK (((kind = 'org_key'::text) = ((organization_id IS NOT NULL) AND (user_id IS NULL)))),
    CONSTRAINT credentials_check1 CHECK (((kind = 'pat'::text) = ((user_id IS NOT NULL) AND (organization_id IS NULL)))),
    CONSTRAINT credentials_kind_check CHECK ((kind = ANY (ARRAY['org_key'::text, 'pat'::text])))
);


--
-- Name: goose_db_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.goose_db_version (
    id integer NOT NULL,
    version_id bigint NOT NULL,
    is_applied boolean NOT NULL,
    tstamp timestamp without time zone DEFAULT now() NOT NULL
);


--
-- Name: goose_db_version_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.goose_db_version ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.goose_db_version_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    scope text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    status integer,
    content_type text,
    body bytea,
    created_at bigint NOT NULL
);


--
-- Name: members; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.members (
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    CONSTRAINT members_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'viewer'::text])))
);


--
-- Name: organizations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organizations (
    id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: phone_numbers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.phone_numbers (
    phone_number text NOT NULL,
    organization_id uuid NOT NULL,
    label text,
    trunk_id text,
    outbound_shareable boolean DEFAULT false NOT NULL,
    inbound_agent_version_id uuid,
    outbound_agent_version_id uuid,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: river_job; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_job (
    id bigint NOT NULL,
    state public.river_job_state DEFAULT 'available'::public.river_job_state NOT NULL,
    attempt smallint DEFAULT 0 NOT NULL,
    max_attempts smallint DEFAULT 25 NOT NULL,
    attempted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finalized_at timestamp with time zone,
    scheduled_at timestamp with time zone DEFAULT now() NOT NULL,
    priority smallint DEFAULT 1 NOT NULL,
    args jsonb NOT NULL,
    attempted_by text[],
    errors jsonb[],
    kind text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    tags character varying(255)[] DEFAULT '{}'::character varying[] NOT NULL,
    unique_key bytea,
    unique_states bit(8),
    CONSTRAINT finalized_or_finalized_at_null CHECK ((((finalized_at IS NULL) AND (state <> ALL (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))) OR ((finalized_at IS NOT NULL) AND (state = ANY (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))))),
    CONSTRAINT kind_length CHECK (((char_length(kind) > 0) AND (char_length(kind) < 128))),
    CONSTRAINT max_attempts_is_positive CHECK ((max_attempts > 0)),
    CONSTRAINT priority_in_range CHECK (((priority >= 1) AND (priority <= 4))),
    CONSTRAINT queue_length CHECK (((char_length(queue) > 0) AND (char_length(queue) < 128)))
);


--
-- Name: river_job_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.river_job_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_job_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.river_job_id_seq OWNED BY public.river_job.id;


--
-- Name: river_leader; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_leader (
    elected_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    leader_id text NOT NULL,
    name text DEFAULT 'default'::text NOT NULL,
    CONSTRAINT leader_id_length CHECK (((char_length(leader_id) > 0) AND (char_length(leader_id) < 128))),
    CONSTRAINT name_length CHECK ((name = 'default'::text))
);


--
-- Name: river_migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_migration (
    line text NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT line_length CHECK (((char_length(line) > 0) AND (char_length(line) < 128))),
    CONSTRAINT version_gte_1 CHECK ((version >= 1))
);


--
-- Name: river_notification; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_notification (
    id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    payload text NOT NULL,
    topic text NOT NULL,
    CONSTRAINT topic_length CHECK (((length(topic) > 0) AND (length(topic) < 128)))
);


--
-- Name: river_notification_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.river_notification_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_notification_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.river_notification_id_seq OWNED BY public.river_notification.id;


--
-- Name: river_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_queue (
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: server_secrets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.server_secrets (
    name text NOT NULL,
    value bytea NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: sip_endpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sip_endpoints (
    agent_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    sip_uri text NOT NULL,
    deployed_at bigint NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id uuid NOT NULL,
    email text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: web_widgets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.web_widgets (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    name text NOT NULL,
    agent_id uuid NOT NULL,
    agent_version_id uuid NOT NULL,
    domains text DEFAULT '[]'::text NOT NULL,
    published boolean DEFAULT false NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: workflows; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workflows (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    steps text NOT NULL,
    agent_id uuid,
    version integer,
    error text,
    input text DEFAULT '{}'::text NOT NULL,
    state text DEFAULT '{}'::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    CONSTRAINT workflows_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'failed'::text])))
);


--
-- Name: river_job id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job ALTER COLUMN id SET DEFAULT nextval('public.river_job_id_seq'::regclass);


--
-- Name: river_notification id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_notification ALTER COLUMN id SET DEFAULT nextval('public.river_notification_id_seq'::regclass);


--
-- Data for Name: agent_conversation_stats; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'status:completed', 6);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'status:failed', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 'channel:webrtc', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 'channel:telephone', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 'direction:inbound', 2);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'status:ringing', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'status:unanswered', 2);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'channel:webrtc', 3);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 'channel:text', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'status:completed', 4);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 'direction:outbound', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 'status:token_created', 3);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'channel:telephone', 8);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'direction:inbound', 11);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 'total', 3);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'direction:outbound', 2);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'duration_total', 373.5);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'status:failed', 2);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'status:in_progress', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'with_duration', 11);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'channel:text', 3);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'direction:outbound', 3);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'status:token_created', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'total', 14);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'status:ringing', 0);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'status:unanswered', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 'status:cancelled', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'channel:text', 2);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'status:in_progress', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'channel:telephone', 3);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'duration_total', 143.3);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'status:cancelled', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'with_duration', 7);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'channel:webrtc', 4);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'direction:inbound', 7);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'status:token_created', 1);
INSERT INTO public.agent_conversation_stats VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 'total', 9);


--
-- Data for Name: agent_revisions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.agent_revisions VALUES ('01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-416d-7b04-ac5c-cf4e83074896', 50);
INSERT INTO public.agent_revisions VALUES ('01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-416d-7b04-ac5c-cf4e83074896', 30);
INSERT INTO public.agent_revisions VALUES ('01a23deb-423c-7912-a033-c58187de27bd', '01a23deb-416d-7b04-ac5c-cf4e83074896', 2);
INSERT INTO public.agent_revisions VALUES ('01a23deb-4260-7323-96d2-877e697229d9', '01a23deb-416d-7b04-ac5c-cf4e83074896', 9);
INSERT INTO public.agent_revisions VALUES ('01a23deb-588a-79ba-adb5-07eefc9ef0d5', '01a23deb-5848-705c-a0d6-135e27356139', 9);


--
-- Data for Name: agent_versions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.agent_versions VALUES ('01a23deb-4273-7b2f-8057-57ce43797586', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 1, true, 1796335157968, NULL, '{"voice": {"speed": 1, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "You answer the phone for Acme Plumbing.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335157875, 1796335157968, '');
INSERT INTO public.agent_versions VALUES ('01a23deb-5580-7c1f-a156-9c0247a4de45', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-423c-7912-a033-c58187de27bd', 1, false, NULL, NULL, '{"voice": {"speed": 0.9, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "You take messages at night.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335162752, 1796335162801, '');
INSERT INTO public.agent_versions VALUES ('01a23deb-4663-79f3-9f30-a1526b2f17e1', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 2, true, 1796335158964, 1, '{"voice": {"speed": 1.2, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "You answer the phone for Acme Plumbing.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335158883, 1796335158964, 'Faster voice');
INSERT INTO public.agent_versions VALUES ('01a23deb-4a39-7f2f-bf24-a91c35056da7', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 3, true, 1796335159931, 2, '{"voice": {"speed": 1.2, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "You answer the phone for Acme Plumbing, open until 22:00.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335159865, 1796335159931, 'Evening hours');
INSERT INTO public.agent_versions VALUES ('01a23deb-4dad-759f-82d2-86b0db9caa66', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', 4, false, NULL, 3, '{"voice": {"speed": 1.1, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "Draft: a new greeting.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335160749, 1796335160794, 'Work in progress');
INSERT INTO public.agent_versions VALUES ('01a23deb-4dea-7490-9244-15902f166597', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 1, true, 1796335160890, NULL, '{"voice": {"speed": 1, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "You book repair visits for Acme Plumbing.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335160810, 1796335160890, '');
INSERT INTO public.agent_versions VALUES ('01a23deb-51ec-702a-b7e2-8eecc9a98d9a', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', 2, true, 1796335161910, 1, '{"voice": {"speed": 1, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "You book repair visits for Acme Plumbing. Ask for the address first.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335161836, 1796335161910, 'Asks for the address first');
INSERT INTO public.agent_versions VALUES ('01a23deb-58a6-768f-a8bd-aca3c8662f20', '01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 1, true, 1796335163638, NULL, '{"voice": {"speed": 1, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "You greet visitors of Second Org.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335163558, 1796335163638, '');
INSERT INTO public.agent_versions VALUES ('01a23deb-5972-765f-90da-4ec34f8dcca1', '01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', 2, true, 1796335163889, 1, '{"voice": {"speed": 1, "provider": "eleven", "voice_id": "rachel"}, "language": "en-US", "recording": {"enabled": false, "redact_pii": false}, "instructions": "Greet visitors of Second Org briefly.", "interruption": {"enabled": true}, "max_tool_steps": 5, "noise_cancellation": "auto"}', NULL, 'idle', NULL, false, true, 1796335163762, 1796335163889, 'Shorter greeting');


--
-- Data for Name: agents; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.agents VALUES ('01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'Front desk', 'Answers the main line', true, false, '{"team": "support"}', 1796335157740, 1796335157740);
INSERT INTO public.agents VALUES ('01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'Booking assistant', 'Books repair visits', true, false, '{"team": "sales"}', 1796335157785, 1796335157785);
INSERT INTO public.agents VALUES ('01a23deb-423c-7912-a033-c58187de27bd', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'Night shift', 'Not live yet', true, false, '{}', 1796335157820, 1796335157820);
INSERT INTO public.agents VALUES ('01a23deb-588a-79ba-adb5-07eefc9ef0d5', '01a23deb-5848-705c-a0d6-135e27356139', 'Reception', 'Second org front desk', true, false, '{}', 1796335163530, 1796335163530);


--
-- Data for Name: conversations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.conversations VALUES ('01a23deb-4f91-7142-88b4-7a226c9fd3fc', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-4dea-7490-9244-15902f166597', 1, '01a23deb-4e9a-7a72-b702-f30f76c85c0e', 'webrtc', 'inbound', 'completed', 'web-user-5', NULL, 25, 6, NULL, 'Caller was helped', NULL, NULL, 1796335161233, 1796335161372);
INSERT INTO public.conversations VALUES ('01a23deb-4315-79d4-862e-31a196a219e2', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4273-7b2f-8057-57ce43797586', 1, NULL, 'telephone', 'inbound', 'completed', '+15550001001', '+14155550101', 42.5, 10, NULL, 'Caller was helped', NULL, NULL, 1796335158037, 1796335158224);
INSERT INTO public.conversations VALUES ('01a23deb-4410-7c4b-81ce-0c1d685d1334', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4273-7b2f-8057-57ce43797586', 1, NULL, 'telephone', 'inbound', 'failed', '+15550001002', NULL, 3.25, 0, NULL, NULL, NULL, NULL, 1796335158288, 1796335158404);
INSERT INTO public.conversations VALUES ('01a23deb-44e0-7837-9bd1-a713edb9e8a0', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4273-7b2f-8057-57ce43797586', 1, NULL, 'webrtc', 'inbound', 'completed', 'web-user-1', NULL, 12.5, 3, NULL, 'Caller was helped', NULL, NULL, 1796335158496, 1796335158620);
INSERT INTO public.conversations VALUES ('01a23deb-45a1-79b6-87bd-5c3235e20ce0', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4273-7b2f-8057-57ce43797586', 1, NULL, 'text', 'inbound', 'completed', 'sms-user-1', NULL, 95, 23, NULL, 'Caller was helped', NULL, NULL, 1796335158689, 1796335158820);
INSERT INTO public.conversations VALUES ('01a23deb-5063-7cb2-b2a0-8f3022f53085', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-4dea-7490-9244-15902f166597', 1, NULL, 'telephone', 'outbound', 'completed', '+15550001009', NULL, 64, 16, NULL, 'Caller was helped', NULL, NULL, 1796335161443, 1796335161633);
INSERT INTO public.conversations VALUES ('01a23deb-4700-7c9e-b831-cfd35502626b', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4663-79f3-9f30-a1526b2f17e1', 2, NULL, 'webrtc', 'inbound', 'completed', 'web-user-2', NULL, 30, 7, NULL, 'Caller was helped', NULL, NULL, 1796335159040, 1796335159166);
INSERT INTO public.conversations VALUES ('01a23deb-47c0-79a3-a59f-c2fdb929aaee', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4663-79f3-9f30-a1526b2f17e1', 2, NULL, 'telephone', 'outbound', 'unanswered', '+15550001003', NULL, 0, 0, NULL, NULL, NULL, NULL, 1796335159232, 1796335159351);
INSERT INTO public.conversations VALUES ('01a23deb-4876-7eae-ae35-efb4545673a4', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4663-79f3-9f30-a1526b2f17e1', 2, NULL, 'text', 'inbound', 'cancelled', 'sms-user-2', NULL, 1.5, 0, NULL, NULL, NULL, NULL, 1796335159414, 1796335159485);
INSERT INTO public.conversations VALUES ('01a23deb-5168-7838-8c06-2bc2433855fe', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-4dea-7490-9244-15902f166597', 1, NULL, 'text', 'inbound', 'failed', 'sms-user-4', NULL, 0.5, 0, NULL, NULL, NULL, NULL, 1796335161704, 1796335161770);
INSERT INTO public.conversations VALUES ('01a23deb-48f9-74dd-a870-9c723cd553ee', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4273-7b2f-8057-57ce43797586', 1, NULL, 'telephone', 'inbound', 'completed', '+15550001004', '+14155550101', 61.75, 15, NULL, 'Caller was helped', NULL, NULL, 1796335159545, 1796335159670);
INSERT INTO public.conversations VALUES ('01a23deb-49cc-7ee6-8079-c1de00d0a472', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4663-79f3-9f30-a1526b2f17e1', 2, NULL, 'telephone', 'inbound', 'ringing', '+15550001005', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335159756, 1796335159814);
INSERT INTO public.conversations VALUES ('01a23deb-4abe-7c98-a730-4495a1c9b4f2', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4a39-7f2f-bf24-a91c35056da7', 3, NULL, 'telephone', 'inbound', 'completed', '+15550001006', '+14155550102', 120, 30, NULL, 'Caller was helped', NULL, NULL, 1796335159998, 1796335160116);
INSERT INTO public.conversations VALUES ('01a23deb-4b7a-7406-98ca-118d7c28c82a', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4a39-7f2f-bf24-a91c35056da7', 3, NULL, 'telephone', 'outbound', 'unanswered', '+15550001007', '+14155550102', 0, 0, NULL, NULL, NULL, NULL, 1796335160186, 1796335160319);
INSERT INTO public.conversations VALUES ('01a23deb-4c35-7c94-8db1-726e60c73a5b', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4a39-7f2f-bf24-a91c35056da7', 3, NULL, 'webrtc', 'inbound', 'in_progress', 'web-user-3', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335160373, 1796335160442);
INSERT INTO public.conversations VALUES ('01a23deb-527a-7f3c-8cbf-3387813c3f1f', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-51ec-702a-b7e2-8eecc9a98d9a', 2, NULL, 'webrtc', 'inbound', 'completed', 'web-user-6', NULL, 33.3, 8, NULL, 'Caller was helped', NULL, NULL, 1796335161978, 1796335162111);
INSERT INTO public.conversations VALUES ('01a23deb-4cb8-7662-9f93-61da995529f8', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4a39-7f2f-bf24-a91c35056da7', 3, NULL, 'telephone', 'inbound', 'failed', '+15550001008', NULL, 7, 1, NULL, NULL, NULL, NULL, 1796335160504, 1796335160616);
INSERT INTO public.conversations VALUES ('01a23deb-4d60-7754-9f33-fd1c5b519e43', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-4a39-7f2f-bf24-a91c35056da7', 3, NULL, 'text', 'outbound', 'token_created', 'sms-user-3', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335160672, 1796335160672);
INSERT INTO public.conversations VALUES ('01a23deb-4ec8-7704-a644-8b825fa353f6', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-4dea-7490-9244-15902f166597', 1, NULL, 'webrtc', 'inbound', 'completed', 'web-user-4', NULL, 18.5, 4, NULL, 'Caller was helped', NULL, NULL, 1796335161032, 1796335161162);
INSERT INTO public.conversations VALUES ('01a23deb-5339-79f6-86fb-713527112153', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-51ec-702a-b7e2-8eecc9a98d9a', 2, NULL, 'telephone', 'outbound', 'unanswered', '+15550001010', NULL, 0, 0, NULL, NULL, NULL, NULL, 1796335162169, 1796335162306);
INSERT INTO public.conversations VALUES ('01a23deb-5416-7bf8-8888-a40f9bcffd35', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-51ec-702a-b7e2-8eecc9a98d9a', 2, NULL, 'text', 'inbound', 'in_progress', 'sms-user-5', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335162390, 1796335162468);
INSERT INTO public.conversations VALUES ('01a23deb-54ab-7bf7-9db3-d15f999f0b4f', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-51ec-702a-b7e2-8eecc9a98d9a', 2, NULL, 'telephone', 'inbound', 'cancelled', '+15550001011', NULL, 2, 0, NULL, NULL, NULL, NULL, 1796335162539, 1796335162619);
INSERT INTO public.conversations VALUES ('01a23deb-5548-742c-8757-14b31cda8e81', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-4dea-7490-9244-15902f166597', 1, NULL, 'webrtc', 'inbound', 'token_created', 'web-user-7', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335162696, 1796335162696);
INSERT INTO public.conversations VALUES ('01a23deb-5689-7a54-a420-8eff5338de79', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4260-7323-96d2-877e697229d9', '01a23deb-55cb-74eb-928c-d4b1c3fcecf9', 1, NULL, 'webrtc', 'inbound', 'completed', 'web-user-8', NULL, 9, 2, NULL, 'Caller was helped', NULL, NULL, 1796335163017, 1796335163164);
INSERT INTO public.conversations VALUES ('01a23deb-5784-7c41-b4c4-17f34f2117cd', '01a23deb-416d-7b04-ac5c-cf4e83074896', '01a23deb-4260-7323-96d2-877e697229d9', '01a23deb-55cb-74eb-928c-d4b1c3fcecf9', 1, NULL, 'telephone', 'outbound', 'ringing', '+15550001012', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335163268, 1796335163358);
INSERT INTO public.conversations VALUES ('01a23deb-5942-7aaa-8f55-8731d3eb9685', '01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', '01a23deb-58a6-768f-a8bd-aca3c8662f20', 1, NULL, 'webrtc', 'inbound', 'token_created', 'second-user-1', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335163714, 1796335163714);
INSERT INTO public.conversations VALUES ('01a23deb-5a4f-7cb7-86d2-cd27ea0bd766', '01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', '01a23deb-5972-765f-90da-4ec34f8dcca1', 2, NULL, 'telephone', 'inbound', 'token_created', '+15550002001', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335163983, 1796335163983);
INSERT INTO public.conversations VALUES ('01a23deb-5aa8-7981-8735-725ff340c26f', '01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-588a-79ba-adb5-07eefc9ef0d5', '01a23deb-58a6-768f-a8bd-aca3c8662f20', 1, NULL, 'text', 'outbound', 'token_created', 'second-user-2', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796335164072, 1796335164072);


--
-- Data for Name: credentials; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.credentials VALUES ('01a23deb-5848-707c-a4ed-cbaa398af12d', 'pat', NULL, '01a23deb-5848-7c21-b57b-e714ba54f0d1', 'bootstrap token', '\xcf876aba0bf09cdc3c690cee1aec9267c0ab6c9f1d26aaa22e041796bc5fbc83', NULL, NULL, 1796335163464, NULL, NULL);
INSERT INTO public.credentials VALUES ('01a23deb-416d-7b08-9218-f50972dfe728', 'org_key', '01a23deb-416d-7b04-ac5c-cf4e83074896', NULL, 'default admin key', '\x49c80a12e6ddb08948c10971eda14aa671a8e235fda34ea55e676903874b7e35', NULL, NULL, 1796335157613, 1796335164256, NULL);
INSERT INTO public.credentials VALUES ('01a23deb-5848-7062-bfb7-e7dc584a4745', 'org_key', '01a23deb-5848-705c-a0d6-135e27356139', NULL, 'bootstrap org key', '\x4287887a3e515032d27b61afa498a10208a0095dd85747aed1b5dd024893993e', NULL, NULL, 1796335163464, 1796335164278, NULL);


--
-- Data for Name: goose_db_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.goose_db_version VALUES (1, 0, true, '2026-12-03 21:59:17.466041');
INSERT INTO public.goose_db_version VALUES (2, 1, true, '2026-12-03 21:59:17.474082');
INSERT INTO public.goose_db_version VALUES (3, 2, true, '2026-12-03 21:59:17.501021');
INSERT INTO public.goose_db_version VALUES (4, 3, true, '2026-12-03 21:59:17.507339');
INSERT INTO public.goose_db_version VALUES (5, 4, true, '2026-12-03 21:59:17.531271');
INSERT INTO public.goose_db_version VALUES (6, 5, true, '2026-12-03 21:59:17.536361');
INSERT INTO public.goose_db_version VALUES (7, 6, true, '2026-12-03 21:59:17.541226');
INSERT INTO public.goose_db_version VALUES (8, 7, true, '2026-12-03 21:59:17.545238');


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: members; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.members VALUES ('01a23deb-5848-705c-a0d6-135e27356139', '01a23deb-5848-7c21-b57b-e714ba54f0d1', 'admin', 1796335163463, 1796335163463);


--
-- Data for Name: organizations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.organizations VALUES ('01a23deb-416d-7b04-ac5c-cf4e83074896', 'Default', 'default', 1796335157613, 1796335157613);
INSERT INTO public.organizations VALUES ('01a23deb-5848-705c-a0d6-135e27356139', 'Second Org', 'second', 1796335163463, 1796335163463);


--
-- Data for Name: phone_numbers; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.phone_numbers VALUES ('+14155550103', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'spare', NULL, false, NULL, NULL, 1796335157708, 1796335157708);
INSERT INTO public.phone_numbers VALUES ('+14155550101', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'main line', 'twilio-1', false, '01a23deb-4273-7b2f-8057-57ce43797586', NULL, 1796335157682, 1796335157968);
INSERT INTO public.phone_numbers VALUES ('+14155550102', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'sales', NULL, false, '01a23deb-4a39-7f2f-bf24-a91c35056da7', '01a23deb-4a39-7f2f-bf24-a91c35056da7', 1796335157696, 1796335159931);


--
-- Data for Name: river_job; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_leader; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_migration; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.river_migration VALUES ('main', 1, '2026-12-03 21:59:17.555252+00');
INSERT INTO public.river_migration VALUES ('main', 2, '2026-12-03 21:59:17.561249+00');
INSERT INTO public.river_migration VALUES ('main', 3, '2026-12-03 21:59:17.577261+00');
INSERT INTO public.river_migration VALUES ('main', 4, '2026-12-03 21:59:17.579097+00');
INSERT INTO public.river_migration VALUES ('main', 5, '2026-12-03 21:59:17.584873+00');
INSERT INTO public.river_migration VALUES ('main', 6, '2026-12-03 21:59:17.600845+00');
INSERT INTO public.river_migration VALUES ('main', 7, '2026-12-03 21:59:17.603806+00');
INSERT INTO public.river_migration VALUES ('main', 8, '2026-12-03 21:59:17.6108+00');


--
-- Data for Name: river_notification; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_queue; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.river_queue VALUES ('default', '2026-12-03 21:59:17.621785+00', '{}', NULL, '2026-12-03 21:59:17.621785+00');


--
-- Data for Name: server_secrets; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.server_secrets VALUES ('cursor_hmac', '\x48c3297c72e0452711156f3b261f3ea018a8611d37d18f817db2c24a715ac8fc', 1796335157611);


--
-- Data for Name: sip_endpoints; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.sip_endpoints VALUES ('01a23deb-41ec-7179-8b9e-e3811f16689d', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'sip:01a23deb-41ec-7179-8b9e-e3811f16689d@sip.agentplane.local', 1796335159968);


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.users VALUES ('01a23deb-5848-7c21-b57b-e714ba54f0d1', 'ops@second.example', 1796335163463, 1796335163463);


--
-- Data for Name: web_widgets; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.web_widgets VALUES ('01a23deb-4e9a-7a72-b702-f30f76c85c0e', '01a23deb-416d-7b04-ac5c-cf4e83074896', 'Site chat', '01a23deb-4219-7d45-b480-be419338e6d7', '01a23deb-4dea-7490-9244-15902f166597', '["https://example.com"]', true, '{}', 1796335160986, 1796335160986);


--
-- Data for Name: workflows; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Name: goose_db_version_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.goose_db_version_id_seq', 8, true);


--
-- Name: river_job_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.river_job_id_seq', 1, false);


--
-- Name: river_notification_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.river_notification_id_seq', 1, false);


--
-- Name: agent_conversation_stats agent_conversation_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_conversation_stats
    ADD CONSTRAINT agent_conversation_stats_pkey PRIMARY KEY (organization_id, agent_id, name);


--
-- Name: agent_revisions agent_revisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_revisions
    ADD CONSTRAINT agent_revisions_pkey PRIMARY KEY (agent_id);


--
-- Name: agent_versions agent_versions_agent_id_version_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_versions
    ADD CONSTRAINT agent_versions_agent_id_version_key UNIQUE (agent_id, version);


--
-- Name: agent_versions agent_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_versions
    ADD CONSTRAINT agent_versions_pkey PRIMARY KEY (id);


--
-- Name: agents agents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (id);


--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);


--
-- Name: credentials credentials_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.credentials
    ADD CONSTRAINT credentials_pkey PRIMARY KEY (id);


--
-- Name: goose_db_version goose_db_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goose_db_version
    ADD CONSTRAINT goose_db_version_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, key);


--
-- Name: members members_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_pkey PRIMARY KEY (organization_id, user_id);


--
-- Name: organizations organizations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);


--
-- Name: organizations organizations_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_slug_key UNIQUE (slug);


--
-- Name: phone_numbers phone_numbers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phone_numbers
    ADD CONSTRAINT phone_numbers_pkey PRIMARY KEY (phone_number);


--
-- Name: river_job river_job_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job
    ADD CONSTRAINT river_job_pkey PRIMARY KEY (id);


--
-- Name: river_leader river_leader_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_leader
    ADD CONSTRAINT river_leader_pkey PRIMARY KEY (name);


--
-- Name: river_migration river_migration_pkey1; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_migration
    ADD CONSTRAINT river_migration_pkey1 PRIMARY KEY (line, version);


--
-- Name: river_notification river_notification_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_notification
    ADD CONSTRAINT river_notification_pkey PRIMARY KEY (id);


--
-- Name: river_queue river_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_queue
    ADD CONSTRAINT river_queue_pkey PRIMARY KEY (name);


--
-- Name: server_secrets server_secrets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.server_secrets
    ADD CONSTRAINT server_secrets_pkey PRIMARY KEY (name);


--
-- Name: sip_endpoints sip_endpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sip_endpoints
    ADD CONSTRAINT sip_endpoints_pkey PRIMARY KEY (agent_id);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: web_widgets web_widgets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_widgets
    ADD CONSTRAINT web_widgets_pkey PRIMARY KEY (id);


--
-- Name: workflows workflows_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflows
    ADD CONSTRAINT workflows_pkey PRIMARY KEY (id);


--
-- Name: agent_versions_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_versions_page ON public.agent_versions USING btree (agent_id, created_at DESC, id DESC);


--
-- Name: agents_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agents_page ON public.agents USING btree (organization_id, created_at DESC, id DESC);


--
-- Name: conversations_agent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_agent ON public.conversations USING btree (organization_id, agent_id, created_at DESC, id DESC);


--
-- Name: conversations_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_page ON public.conversations USING btree (organization_id, created_at DESC, id DESC);


--
-- Name: credentials_org_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credentials_org_page ON public.credentials USING btree (organization_id, created_at DESC, id DESC) WHERE (revoked_at IS NULL);


--
-- Name: credentials_user_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credentials_user_page ON public.credentials USING btree (user_id, created_at DESC, id DESC) WHERE (revoked_at IS NULL);


--
-- Name: idempotency_keys_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_keys_created ON public.idempotency_keys USING btree (created_at);


--
-- Name: members_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX members_page ON public.members USING btree (organization_id, created_at DESC, user_id DESC);


--
-- Name: members_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX members_user ON public.members USING btree (user_id, created_at DESC, organization_id DESC);


--
-- Name: phone_numbers_inbound; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX phone_numbers_inbound ON public.phone_numbers USING btree (inbound_agent_version_id);


--
-- Name: phone_numbers_outbound; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX phone_numbers_outbound ON public.phone_numbers USING btree (outbound_agent_version_id);


--
-- Name: phone_numbers_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX phone_numbers_page ON public.phone_numbers USING btree (organization_id, created_at DESC, phone_number DESC);


--
-- Name: river_job_args_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_args_index ON public.river_job USING gin (args);


--
-- Name: river_job_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_kind ON public.river_job USING btree (kind);


--
-- Name: river_job_metadata_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_metadata_index ON public.river_job USING gin (metadata);


--
-- Name: river_job_prioritized_fetching_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_prioritized_fetching_index ON public.river_job USING btree (state, queue, priority, scheduled_at, id);


--
-- Name: river_job_state_and_finalized_at_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_state_and_finalized_at_index ON public.river_job USING btree (state, finalized_at) WHERE (finalized_at IS NOT NULL);


--
-- Name: river_job_unique_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX river_job_unique_idx ON public.river_job USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (unique_states IS NOT NULL) AND public.river_job_state_in_bitmask(unique_states, state));


--
-- Name: river_notification_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_notification_created_at_idx ON public.river_notification USING btree (created_at);


--
-- Name: river_notification_topic_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_notification_topic_id_idx ON public.river_notification USING btree (topic, id);


--
-- Name: web_widgets_agent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX web_widgets_agent ON public.web_widgets USING btree (agent_id);


--
-- Name: web_widgets_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX web_widgets_page ON public.web_widgets USING btree (organization_id, created_at DESC, id DESC);


--
-- Name: workflows_page; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_page ON public.workflows USING btree (organization_id, created_at DESC, id DESC);


--
-- Name: agents agents_revision_row; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agents_revision_row AFTER INSERT ON public.agents FOR EACH ROW EXECUTE FUNCTION public.agents_revision_row();


--
-- Name: agent_revisions agent_revisions_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_revisions
    ADD CONSTRAINT agent_revisions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: agent_versions agent_versions_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_versions
    ADD CONSTRAINT agent_versions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: agent_versions agent_versions_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_versions
    ADD CONSTRAINT agent_versions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: agents agents_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: conversations conversations_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: credentials credentials_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.credentials
    ADD CONSTRAINT credentials_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: credentials credentials_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.credentials
    ADD CONSTRAINT credentials_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: members members_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: members members_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: phone_numbers phone_numbers_inbound_agent_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phone_numbers
    ADD CONSTRAINT phone_numbers_inbound_agent_version_id_fkey FOREIGN KEY (inbound_agent_version_id) REFERENCES public.agent_versions(id) ON DELETE SET NULL;


--
-- Name: phone_numbers phone_numbers_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phone_numbers
    ADD CONSTRAINT phone_numbers_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: phone_numbers phone_numbers_outbound_agent_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phone_numbers
    ADD CONSTRAINT phone_numbers_outbound_agent_version_id_fkey FOREIGN KEY (outbound_agent_version_id) REFERENCES public.agent_versions(id) ON DELETE SET NULL;


--
-- Name: sip_endpoints sip_endpoints_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sip_endpoints
    ADD CONSTRAINT sip_endpoints_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: sip_endpoints sip_endpoints_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sip_endpoints
    ADD CONSTRAINT sip_endpoints_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: web_widgets web_widgets_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_widgets
    ADD CONSTRAINT web_widgets_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: web_widgets web_widgets_agent_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_widgets
    ADD CONSTRAINT web_widgets_agent_version_id_fkey FOREIGN KEY (agent_version_id) REFERENCES public.agent_versions(id) ON DELETE CASCADE;


--
-- Name: web_widgets web_widgets_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_widgets
    ADD CONSTRAINT web_widgets_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: workflows workflows_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflows
    ADD CONSTRAINT workflows_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--



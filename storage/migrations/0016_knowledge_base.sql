-- Issue 19: the knowledge base (知识库) of standard answers, its search terms, the versions of
-- every entry, the entries cited by answers, and the reply documents for 依申请公开
-- (docs/knowledge.md, docs/decisions/0016-knowledge-search-terms.md).

CREATE TABLE kb_entries (
  id               bigserial   PRIMARY KEY,
  question         text        NOT NULL,
  answer           text        NOT NULL,
  keywords         text[]      NOT NULL DEFAULT '{}',
  category         text        NOT NULL DEFAULT 'other',
  divisions        text[]      NOT NULL DEFAULT '{}',  -- empty: the whole city
  policy_title     text        NOT NULL DEFAULT '',
  policy_number    text        NOT NULL DEFAULT '',    -- 文号
  policy_date      date,
  policy_url       text        NOT NULL DEFAULT '',
  owner_department text        NOT NULL,
  review_date      date        NOT NULL,
  state            text        NOT NULL CHECK (state IN ('draft', 'published', 'expired')),
  version          integer     NOT NULL DEFAULT 1,
  shipped_key      text        UNIQUE,                 -- the shipped default it came from
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text        NOT NULL
);
CREATE INDEX kb_entries_owner ON kb_entries (owner_department, review_date);

-- Every version of an entry as it was saved, with who and when (version 1 is the creation).
CREATE TABLE kb_entry_versions (
  entry_id   bigint      NOT NULL REFERENCES kb_entries (id),
  version    integer     NOT NULL,
  entry      jsonb       NOT NULL,
  changed_by text        NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  note       text        NOT NULL DEFAULT '',
  PRIMARY KEY (entry_id, version)
);

-- The search terms of each published entry (Han character bigrams and ASCII words, from
-- core/search_terms.hpp) with the weight of the fields they occur in: an inverted index whose
-- index-only scans give both the entries holding a term and how much it counts there. Drafts and
-- expired entries have no rows, so they are never found.
CREATE TABLE kb_terms (
  term     text COLLATE "C" NOT NULL,
  entry_id bigint NOT NULL REFERENCES kb_entries (id) ON DELETE CASCADE,
  weight   real   NOT NULL,
  PRIMARY KEY (term, entry_id)
);
CREATE INDEX kb_terms_entry ON kb_terms (entry_id);

-- How many entries are searchable, kept with their terms: a term's weight depends on it, and
-- counting the entries at every search would read the whole table.
CREATE TABLE kb_search_stats (
  id        integer PRIMARY KEY CHECK (id = 1),
  published bigint  NOT NULL
);
INSERT INTO kb_search_stats VALUES (1, 0);

-- An entry used in an answer (an operator's 即时答复, or staff inserting it): shown on the
-- ticket and counted per entry.
CREATE TABLE kb_citations (
  id            bigserial   PRIMARY KEY,
  ticket_id     bigint      NOT NULL REFERENCES tickets (id),
  entry_id      bigint      NOT NULL REFERENCES kb_entries (id),
  entry_version integer     NOT NULL,
  answer_id     bigint      REFERENCES answers (id),
  instant       boolean     NOT NULL DEFAULT false,
  cited_by      text        NOT NULL,
  cited_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_citations_ticket ON kb_citations (ticket_id);
CREATE INDEX kb_citations_entry ON kb_citations (entry_id);

-- Reply documents for information-disclosure requests (政府信息公开条例 2019): the decision,
-- the fields it was filled with and the rendered text, which is what the channel is sent.
CREATE TABLE disclosure_documents (
  id         bigserial   PRIMARY KEY,
  ticket_id  bigint      NOT NULL REFERENCES tickets (id),
  decision   text        NOT NULL,
  fields     jsonb       NOT NULL,
  title      text        NOT NULL,
  body       text        NOT NULL,
  answer_id  bigint      REFERENCES answers (id),
  created_by text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosure_documents_ticket ON disclosure_documents (ticket_id);

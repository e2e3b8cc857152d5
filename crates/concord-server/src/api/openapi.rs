//! `GET /api/openapi.json`: the OpenAPI 3 document, written by hand next to the routes it
//! describes. A test checks that it lists every route of the router and nothing else.

use axum::Json;
use serde_json::{Value, json};

/// An operation answering `ok` with a JSON body of the schema `answer` (a component name).
fn op(
    summary: &str,
    roles: &str,
    params: &[&str],
    body: Option<&str>,
    ok: &str,
    answer: &str,
) -> Value {
    let mut o = op_with(summary, roles, params, body.map(json_body), ok);
    o["responses"][ok]["content"] =
        json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{answer}")}}});
    o
}

/// An operation answering `ok` with any JSON (a body for the generic JSON body, `None` for none).
fn op_any(summary: &str, roles: &str, params: &[&str], body: Option<&str>, ok: &str) -> Value {
    op_any_with(summary, roles, params, body.map(json_body), ok)
}

fn op_any_with(
    summary: &str,
    roles: &str,
    params: &[&str],
    body: Option<Value>,
    ok: &str,
) -> Value {
    let mut o = op_with(summary, roles, params, body, ok);
    o["responses"][ok]["content"] = json!({"application/json": {"schema": {}}});
    o
}

/// An operation answering `ok` with a body of another media type (a stream, JSON lines).
fn op_media(summary: &str, roles: &str, params: &[&str], media: &str) -> Value {
    let mut o = op_with(summary, roles, params, None, "200");
    o["responses"]["200"]["content"] = json!({ media: {"schema": {"type": "string"}} });
    o
}

/// A JSON request body of the named schema.
fn json_body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

/// A text request body (an imported file) in any of `media_types`.
fn text_body(media_types: &[&str], description: &str) -> Value {
    let content: serde_json::Map<String, Value> = media_types
        .iter()
        .map(|m| ((*m).to_owned(), json!({"schema": {"type": "string"}})))
        .collect();
    json!({"required": true, "description": description, "content": content})
}

fn op_with(summary: &str, roles: &str, params: &[&str], body: Option<Value>, ok: &str) -> Value {
    let mut parameters: Vec<Value> = params
        .iter()
        .map(|p| match *p {
            "as_of" => json!({"name": "as_of", "in": "query", "required": false,
                "description": "replay what was known on this date (default today); it must lie within the contest's life (its opening to the latest of its term end, milestones, decision and tomorrow), else 422",
                "schema": {"type": "string", "format": "date"}, "example": "2024-04-02"}),
            "after" => json!({"name": "after", "in": "query", "required": false,
                "description": "send the events after this sequence number first (or Last-Event-ID)",
                "schema": {"type": "integer"}}),
            "trials" => json!({"name": "trials", "in": "query", "required": false,
                "description": "Monte Carlo trials, 1 to 1000000 (default 20000; the CLI's default is 200000)",
                "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}}),
            "seed" => json!({"name": "seed", "in": "query", "required": false,
                "description": "random seed (default the parameter file's): same seed, same numbers",
                "schema": {"type": "integer", "minimum": 0}}),
            "status" => json!({"name": "status", "in": "query", "required": false,
                "description": "pending (default), accepted, rejected or all",
                "schema": {"type": "string", "enum": ["pending", "accepted", "rejected", "all"]}}),
            "id" => json!({"name": "id", "in": "path", "required": true, "example": "nato-sg-2024",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}),
            "code" => json!({"name": "code", "in": "path", "required": true, "example": "HUN",
                "schema": {"type": "string"}}),
            "pid" => json!({"name": "pid", "in": "path", "required": true, "example": "sp-1",
                "schema": {"type": "string"}}),
            name => json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
        })
        .collect();
    parameters.sort_by_key(|p| p["in"] != "path");
    let mut o = json!({
        "summary": summary,
        "description": format!("Roles: {roles}."),
        "parameters": parameters,
        "responses": {
            ok: {"description": "success", "content": {"application/json": {"schema": {"type": "object"}}}},
            "default": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
    });
    if let Some(body) = body {
        o["requestBody"] = body;
    }
    o
}

/// Loose object: the named fields are required and typed, others may be added (the JSON
/// shapes grow by adding fields, never by renaming them; see docs/json.md).
fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

fn array_of(schema: &str) -> Value {
    json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{schema}")}})
}

fn date() -> Value {
    json!({"type": "string", "format": "date"})
}

fn estimate() -> Value {
    object(
        &["p", "se"],
        json!({"p": {"type": "number"}, "se": {"type": "number"}}),
    )
}

/// The schemas of every answer.
fn answers() -> serde_json::Map<String, Value> {
    let event = object(
        &[
            "seq",
            "valid",
            "recorded_at",
            "author",
            "kind",
            "prev_hash",
            "hash",
        ],
        json!({"seq": {"type": "integer", "minimum": 1}, "valid": date(), "recorded_at": {"type": "string", "format": "date-time"},
            "author": {"type": "string"}, "kind": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
            "prev_hash": {"type": "string"}, "hash": {"type": "string"}}),
    );
    let member = object(
        &["code", "name", "joined"],
        json!({"code": {"type": "string"}, "name": {"type": "string"}, "joined": date(), "left": date(),
            "attributes": {"type": "object", "additionalProperties": {"type": "number"}}, "tags": {"type": "array", "items": {"type": "string"}}}),
    );
    let report = object(
        &["source", "attribution", "confidence"],
        json!({"source": {"type": "string"}, "attribution": {"type": "string", "enum": ["official", "on_record", "anonymous", "inferred"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1}}),
    );
    let stances = json!({"type": "string", "enum": ["supports", "leans", "conditional", "undeclared", "withholds", "objects"]});
    let cell = object(
        &[
            "member",
            "candidate",
            "stated",
            "effective",
            "basis",
            "reports",
        ],
        json!({"member": {"type": "string"}, "candidate": {"type": "string"}, "stated": stances, "effective": stances,
            "basis": {"type": "string", "enum": ["reported", "own_national", "conditions_met", "default", "superseded"]},
            "prefers": {"type": "string"}, "reports": {"type": "integer", "minimum": 0},
            "superseded_by": object(&["candidate"], json!({"candidate": {"type": "string"}})),
            "asked": {"type": "array", "items": object(&["id", "text", "met"], json!({"id": {"type": "string"}, "text": {"type": "string"}, "met": {"type": "boolean"}}))}}),
    );
    let forecast = object(
        &[
            "as_of",
            "params_version",
            "trials",
            "seed",
            "horizon",
            "hard_deadline",
            "milestones",
            "curve",
            "candidates",
            "another_candidate",
            "reversion_first",
            "none_by_horizon",
            "decided_by_hard_deadline",
            "binding",
            "sensitivity",
        ],
        json!({"as_of": date(), "params_version": {"type": "string"}, "trials": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
            "seed": {"type": "integer", "minimum": 0}, "horizon": date(), "hard_deadline": date(),
            "milestones": {"type": "array", "items": {"type": "object"}},
            "curve": {"type": "array", "maxItems": 3653 + 1, "items": object(&["date", "p"], json!({"date": date(), "p": {"type": "number"}}))},
            "candidates": {"type": "array", "items": {"type": "object"}},
            "another_candidate": estimate(), "reversion_first": estimate(), "none_by_horizon": estimate(),
            "decided_by_hard_deadline": estimate(), "median": {"type": "string", "format": "date", "nullable": true},
            "binding": {"type": "array", "items": {"type": "object"}}, "sensitivity": {"type": "array", "items": {"type": "object"}}}),
    );
    let procedure = object(
        &[
            "procedure",
            "candidate",
            "draft",
            "deadline",
            "opened_at",
            "breaks",
            "now",
            "status",
        ],
        json!({"procedure": {"type": "string"}, "candidate": {"type": "string"}, "draft": {"type": "string"},
            "deadline": {"type": "string"}, "opened_at": {"type": "string", "format": "date-time"},
            "breaks": {"type": "array", "items": object(&["member", "statement", "recorded_at"], json!({}))},
            "now": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["open", "adopted", "broken", "withdrawn"]},
            "seconds_left": {"type": "integer"}, "by": {"type": "array", "items": {"type": "string"}}, "reason": {"type": "string"}}),
    );
    let mut m = serde_json::Map::new();
    for (name, schema) in [
        ("Event", event),
        ("Events", array_of("Event")),
        ("Member", member),
        ("Members", array_of("Member")),
        (
            "Me",
            object(
                &[
                    "role",
                    "label",
                    "anonymous",
                    "sees_chair_only",
                    "public_read",
                    "now",
                ],
                json!({"role": {"type": "string"}, "label": {"type": "string"}, "anonymous": {"type": "boolean"},
                "sees_chair_only": {"type": "boolean"}, "public_read": {"type": "boolean"}, "now": {"type": "string", "format": "date-time"}}),
            ),
        ),
        (
            "Contests",
            json!({"type": "array", "items": object(&["id", "events"], json!({"id": {"type": "string"}, "events": {"type": "integer", "minimum": 0}}))}),
        ),
        (
            "Created",
            object(
                &["id", "events"],
                json!({"id": {"type": "string"}, "events": {"type": "integer", "minimum": 1}}),
            ),
        ),
        (
            "Imported",
            object(
                &["imported"],
                json!({"imported": {"type": "integer", "minimum": 0}}),
            ),
        ),
        ("Cell", cell),
        (
            "Status",
            object(
                &[
                    "format_version",
                    "contest",
                    "as_of",
                    "verdict",
                    "candidates",
                    "potential_candidates",
                    "milestones",
                    "board",
                ],
                json!({"format_version": {"type": "integer"}, "as_of": date(),
                "contest": object(&["id", "title", "organisation", "office", "term_end", "rule", "members", "events_seen"], json!({"id": {"type": "string"}, "term_end": date(), "members": {"type": "integer"},
                    "successor": object(&["candidate", "name", "appointed"], json!({"candidate": {"type": "string"}, "appointed": date()}))})),
                "verdict": object(&["as_of", "status", "candidates"], json!({"as_of": date(),
                    "status": {"type": "string", "enum": ["decided", "clear", "blocked", "no_candidates"]},
                    "decided": {"type": "string"}, "candidates": {"type": "array", "items": object(&["candidate", "name", "status", "evaluation"], json!({}))}})),
                "candidates": {"type": "array", "items": object(&["id", "name", "status", "since", "supporters", "blockers", "implicit_holds", "pending", "undeclared"], json!({}))},
                "potential_candidates": {"type": "array", "items": object(&["id", "name", "since", "source"], json!({}))},
                "milestones": {"type": "array", "items": object(&["id", "label", "date", "kind", "days_left"], json!({"date": date()}))},
                "board": object(&["as_of", "members", "candidates", "cells"], json!({"as_of": date(),
                    "members": {"type": "array", "items": {"type": "string"}}, "candidates": {"type": "array", "items": {"type": "string"}},
                    "cells": array_of("Cell")}))}),
            ),
        ),
        (
            "History",
            object(
                &["member", "events"],
                json!({"member": {"$ref": "#/components/schemas/Member"}, "events": array_of("Event")}),
            ),
        ),
        (
            "Candidates",
            json!({"type": "array", "items": object(&["id", "name", "status", "since", "source"],
            json!({"id": {"type": "string"}, "name": {"type": "string"}, "since": date(),
                "status": {"type": "string", "enum": ["potential", "declared", "withdrawn", "appointed"]}}))}),
        ),
        (
            "Reports",
            json!({"type": "array", "items": object(&["seq", "valid", "member", "candidate", "stance", "report"],
            json!({"seq": {"type": "integer"}, "valid": date(), "stance": stances, "report": report}))}),
        ),
        (
            "Conditions",
            json!({"type": "array", "items": object(&["member", "id", "text", "set_on", "source"], json!({"set_on": date()}))}),
        ),
        (
            "Commitments",
            json!({"type": "array", "items": object(&["candidate", "text", "meets", "made_on", "source"], json!({"made_on": date()}))}),
        ),
        (
            "Verify",
            object(
                &["intact"],
                json!({
                    "intact": {"type": "boolean"},
                    "events": {"type": "integer", "minimum": 0},
                    "checkpoint": {"type": "string", "nullable": true, "description": "the signed checkpoint that seals the log (docs/integrity.md); null for a log written before checkpoints"},
                    "first_bad": {"type": "integer", "nullable": true},
                    "message": {"type": "string"}
                }),
            ),
        ),
        ("Procedure", procedure),
        ("Procedures", array_of("Procedure")),
        ("Forecast", forecast),
        (
            "WhatIfAnswer",
            object(
                &["edits", "baseline", "scenario"],
                json!({"edits": {"type": "array", "items": {"type": "object"}},
            "baseline": {"$ref": "#/components/schemas/Forecast"}, "scenario": {"$ref": "#/components/schemas/Forecast"}}),
            ),
        ),
    ] {
        m.insert(name.to_owned(), schema);
    }
    m
}

/// The document.
pub fn spec() -> Value {
    let read = "anyone who may read (chair sees chair_only stances; others never do)";
    let c = &["id"];
    let ca = &["id", "as_of"];
    let date_field = json!({"type": "string", "format": "date", "description": "YYYY-MM-DD, within the contest's life and at most a day ahead (default today)"});
    let attribution =
        json!({"type": "string", "enum": ["official", "on_record", "anonymous", "inferred"]});
    let confidence = json!({"type": "number", "minimum": 0, "maximum": 1});
    let mut schemas = json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "example": "bad_input"},
            "message": {"type": "string"},
            "request_id": {"type": "string", "description": "internal errors: the id the server log files the detail under"},
            "problems": {"type": "array", "items": {"type": "object", "required": ["path", "message"], "properties": {
                "path": {"type": "string", "example": "$.member", "description": "a JSON path (a query parameter's name); empty for a problem in an imported file, which has line and column"},
                "line": {"type": "integer", "description": "imported files: 1-based line"},
                "column": {"type": "integer", "description": "imported files: 1-based column"},
                "message": {"type": "string"},
                "expected": {"type": "string"}, "did_you_mean": {"type": "string"}}}}}}}},
        "Report": {"type": "object", "additionalProperties": false, "required": ["member", "candidate", "stance", "source"], "properties": {
            "member": {"type": "string", "example": "HUN"}, "candidate": {"type": "string", "example": "rutte"},
            "stance": {"type": "string", "enum": ["supports", "leans", "conditional", "undeclared", "withholds", "objects"]},
            "source": {"type": "string"}, "date": date_field, "published": {"type": "string", "format": "date"},
            "attribution": attribution, "confidence": confidence, "speaker": {"type": "string"},
            "reasons": {"type": "array", "items": {"type": "string"}}, "conditions": {"type": "array", "items": {"type": "string"}},
            "follows": {"type": "string"}, "linked_to": {"type": "string"}, "visibility": {"type": "string", "enum": ["public", "chair_only"]}}},
        "Condition": {"type": "object", "additionalProperties": false, "required": ["member", "condition", "text", "source"], "properties": {
            "member": {"type": "string"}, "candidate": {"type": "string"},
            "condition": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "example": "russia-focus"}, "text": {"type": "string"},
            "source": {"type": "string"}, "date": date_field, "attribution": attribution,
            "confidence": confidence, "speaker": {"type": "string"}}},
        "Commitment": {"type": "object", "additionalProperties": false, "required": ["candidate", "text", "source"], "properties": {
            "candidate": {"type": "string"}, "text": {"type": "string"},
            "meets": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["member", "condition"], "properties": {"member": {"type": "string"}, "condition": {"type": "string"}}}},
            "source": {"type": "string"}, "date": date_field, "attribution": attribution,
            "confidence": confidence, "speaker": {"type": "string"}}},
        "OpenProcedure": {"type": "object", "additionalProperties": false, "required": ["candidate", "draft", "deadline"], "properties": {
            "procedure": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "default the next free sp-N; unique"},
            "candidate": {"type": "string"},
            "draft": {"type": "string", "minLength": 1, "example": "appoint Mark Rutte as Secretary General from 1 October 2024"},
            "deadline": {"type": "string", "example": "2024-06-26T12:00:00+02:00[Europe/Brussels]", "description": "still ahead; a zoned date-time, RFC 3339, or a local date-time read in time_zone"},
            "time_zone": {"type": "string", "example": "Europe/Brussels"}}},
        "Break": {"type": "object", "additionalProperties": false, "required": ["statement"], "properties": {"member": {"type": "string"}, "statement": {"type": "string", "minLength": 1}}},
        "Withdraw": {"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}},
        "Edit": {"type": "object", "required": ["edit"],
            "description": "One edit, in the shape the answer's `edits` echo. Candidates by id or name, members by code. The form keyed by the edit's name is accepted too: {\"lift\": {\"member\": \"HUN\"}}.",
            "properties": {
                "edit": {"type": "string", "enum": ["lift", "withdraw", "commit", "move_deadline"]},
                "member": {"type": "string", "example": "HUN", "description": "lift, commit"},
                "candidate": {"type": "string", "example": "rutte", "description": "lift (optional: every hold of the member), withdraw, commit"},
                "count": {"type": "integer", "minimum": 1, "description": "commit: how many more of the member's conditions are met (default 1)"},
                "kind": {"type": "string", "enum": ["target", "meeting", "hard_deadline", "term_end"], "description": "move_deadline"},
                "to": {"type": "string", "format": "date", "description": "move_deadline"}},
            "example": {"edit": "lift", "member": "HUN", "candidate": "rutte"}},
        "Article": {"type": "object", "required": ["text", "published"], "properties": {
            "text": {"type": "string", "description": "the article, plain text or HTML (at most 1 MiB)"},
            "published": {"type": "string", "format": "date", "description": "the date the article speaks for"},
            "url": {"type": "string"}, "outlet": {"type": "string"}}},
        "Bulk": {"type": "object", "properties": {
            "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 10000},
            "all": {"type": "boolean", "description": "every pending proposal instead of ids"}}},
        "ProposalEdit": {"type": "object", "description": "changes to a stance proposal before accepting it", "properties": {
            "stance": {"type": "string", "enum": ["supports", "leans", "conditional", "undeclared", "withholds", "objects"]},
            "attribution": {"type": "string", "enum": ["official", "on_record", "anonymous", "inferred"]},
            "speaker": {"type": "string"},
            "conditions": {"type": "array", "items": {"type": "string"}}}},
        "WhatIf": {"type": "object", "additionalProperties": false, "required": ["edits"], "properties": {
            "as_of": {"type": "string", "format": "date", "description": "default today; within the contest's life"},
            "edits": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Edit"}, "description": "applied in order"},
            "trials": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "description": "default 20000"},
            "seed": {"type": "integer", "minimum": 0}}}
    });
    schemas
        .as_object_mut()
        .expect("an object")
        .extend(answers());
    let mut import_scenario = op_with(
        "Import a scenario TOML as a new contest (as `concord import FILE.toml`): 201 {id, events}; 409 `contest_exists`; 422 with every problem at its line and column; nothing written on any error",
        "chair",
        &[],
        Some(text_body(
            &["application/toml", "text/plain"],
            "the scenario file",
        )),
        "201",
    );
    import_scenario["responses"]["201"]["content"] =
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/Created"}}});
    let mut import_csv = op_with(
        "Import a CSV of stance reports (as `concord import FILE.csv --contest ID`): 201 {imported}; 422 with every problem at its line and column; all rows or none",
        "chair (any row); analyst (no chair_only rows); delegation (rows for its own member only)",
        c,
        Some(text_body(
            &["text/csv", "text/plain"],
            "header `date, member, candidate, stance, source` and optional columns, as `concord import` reads",
        )),
        "201",
    );
    import_csv["responses"]["201"]["content"] =
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/Imported"}}});
    json!({
        "openapi": "3.0.3",
        "info": {"title": "concord", "version": env!("CARGO_PKG_VERSION"),
            "description": "Selecting a leader by consensus: the board, reports, the silence procedure. Authenticate with `Authorization: Bearer TOKEN` (or the concord_token cookie). Every error answers in the `Error` shape; a write refused writes nothing."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas
        },
        "security": [{"bearer": []}, {}],
        "paths": {
            "/api/openapi.json": {"get": op_with("This document", "anyone", &[], None, "200")},
            "/api/me": {"get": op("Who the server takes the caller for", read, &[], None, "200", "Me")},
            "/api/contests": {
                "get": op("Every contest", read, &[], None, "200", "Contests"),
                "post": import_scenario},
            "/api/contests/{id}/status": {"get": op("The board and the verdict as of a date (as `concord status --format json`)", read, ca, None, "200", "Status")},
            "/api/contests/{id}/members": {"get": op("Members counted on a date", read, ca, None, "200", "Members")},
            "/api/contests/{id}/members/{code}/history": {"get": op("Every event about one member", read, &["id", "code"], None, "200", "History")},
            "/api/contests/{id}/candidates": {"get": op("Candidates on a date", read, ca, None, "200", "Candidates")},
            "/api/contests/{id}/reports": {
                "get": op("Stance reports on a date", read, ca, None, "200", "Reports"),
                "post": op("Record a stance report", "chair (any); delegation (its own member); analyst (public only)", c, Some("Report"), "201", "Events")},
            "/api/contests/{id}/reports.csv": {"post": import_csv},
            "/api/contests/{id}/conditions": {
                "get": op("Conditions set by members", read, ca, None, "200", "Conditions"),
                "post": op("Record a condition", "chair; analyst; delegation (its own member)", c, Some("Condition"), "201", "Events")},
            "/api/contests/{id}/commitments": {
                "get": op("Candidates' commitments", read, ca, None, "200", "Commitments"),
                "post": op("Record a commitment", "chair; analyst", c, Some("Commitment"), "201", "Events")},
            "/api/contests/{id}/export": {"get": op_media("The log as JSON lines", read, c, "application/x-ndjson")},
            "/api/contests/{id}/verify": {"get": op("Check the hash chain, the store's record and the signed checkpoint", "chair", c, None, "200", "Verify")},
            "/api/contests/{id}/procedures": {
                "get": op("Silence procedures with their status now", read, c, None, "200", "Procedures"),
                "post": op("Open a silence procedure (a draft, a deadline still ahead, a fresh id; 409 `exists` for a used id)", "chair", c, Some("OpenProcedure"), "201", "Procedure")},
            "/api/contests/{id}/procedures/{pid}": {"get": op("One silence procedure", read, &["id", "pid"], None, "200", "Procedure")},
            "/api/contests/{id}/procedures/{pid}/break": {"post": op("Break silence before the deadline (409 `procedure_closed` after it)", "delegation (its own member); chair", &["id", "pid"], Some("Break"), "201", "Events")},
            "/api/contests/{id}/procedures/{pid}/withdraw": {"post": op("Withdraw an open draft", "chair", &["id", "pid"], Some("Withdraw"), "201", "Events")},
            "/api/contests/{id}/events/stream": {"get": op_media("Server-Sent Events of new events", read, &["id", "after"], "text/event-stream")},
            "/api/contests/{id}/ingest": {"post": op_any("Read a news article (plain text or HTML, at most 1 MiB) and store what it proposes — stance reports with their evidence, candidacies, withdrawals, commitments, milestones — as pending review: 201 {article, proposed, stored, notes}; 422 at `$.text` for an empty, binary or too large text or an article about another organisation; nothing is recorded until accepted", "chair; analyst", c, Some("Article"), "201")},
            "/api/contests/{id}/proposals": {"get": op_any_with("The review queue: proposals with their evidence and source (status pending by default; accepted, rejected or all)", "chair; analyst",
                &["id", "status"], None, "200")},
            "/api/contests/{id}/proposals/accept": {"post": op_any("Accept several proposals (in an order that keeps references valid for `all`): {decided, refused}; each is recorded through the same checks as any write", "chair; analyst", c, Some("Bulk"), "200")},
            "/api/contests/{id}/proposals/reject": {"post": op_any("Reject several proposals: the same article will not propose them again", "chair; analyst", c, Some("Bulk"), "200")},
            "/api/contests/{id}/proposals/{pid}/accept": {"post": op_any_with("Accept one proposal, optionally edited (an empty body accepts it as proposed): its events are recorded with the article as their source; 409 `decided` if it was already decided", "chair; analyst", &["id", "pid"],
                Some(json!({"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProposalEdit"}}}})), "200")},
            "/api/contests/{id}/proposals/{pid}/reject": {"post": op_any("Reject one proposal: remembered, so the same article does not propose it again", "chair; analyst", &["id", "pid"], None, "200")},
            "/api/contests/{id}/forecast": {"get": op("The forecast as of a date (as `concord forecast --format json`), computed only from what the caller may see; 409 `decided` once decided; 422 for an as_of outside the contest's life or a forecast spanning more than 3653 days", read, &["id", "as_of", "trials", "seed"], None, "200", "Forecast")},
            "/api/contests/{id}/whatif": {"post": op("A what-if: {baseline, scenario, edits} (as `concord whatif --format json`), on the same random numbers, from what the caller may see", read, c, Some("WhatIf"), "200", "WhatIfAnswer")}
        }
    })
}

/// `GET /api/openapi.json` (public: it describes, it reveals nothing).
pub async fn document() -> Json<Value> {
    Json(spec())
}

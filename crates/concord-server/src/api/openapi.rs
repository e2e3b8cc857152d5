//! `GET /api/openapi.json`: the OpenAPI 3 document, written by hand next to the routes it
//! describes. A test checks that it lists every route of the router and nothing else.

use axum::Json;
use serde_json::{Value, json};

fn op(summary: &str, roles: &str, params: &[&str], body: Option<&str>, ok: &str) -> Value {
    op_with(summary, roles, params, body.map(json_body), ok)
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
                "description": "replay what was known on this date (default today)",
                "schema": {"type": "string", "format": "date"}}),
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

/// The document.
pub fn spec() -> Value {
    let read = "anyone who may read (chair sees chair_only stances; others never do)";
    let c = &["id"];
    let ca = &["id", "as_of"];
    json!({
        "openapi": "3.0.3",
        "info": {"title": "concord", "version": env!("CARGO_PKG_VERSION"),
            "description": "Selecting a leader by consensus: the board, reports, the silence procedure. Authenticate with `Authorization: Bearer TOKEN` (or the concord_token cookie)."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string", "example": "bad_input"},
                    "message": {"type": "string"},
                    "problems": {"type": "array", "items": {"type": "object", "properties": {
                        "path": {"type": "string", "example": "$.member", "description": "a JSON path; empty for a problem in an imported file, which has line and column"},
                        "line": {"type": "integer", "description": "imported files: 1-based line"},
                        "column": {"type": "integer", "description": "imported files: 1-based column"},
                        "message": {"type": "string"},
                        "expected": {"type": "string"}, "did_you_mean": {"type": "string"}}}}}}}},
                "Report": {"type": "object", "required": ["member", "candidate", "stance", "source"], "properties": {
                    "member": {"type": "string", "example": "HUN"}, "candidate": {"type": "string", "example": "rutte"},
                    "stance": {"type": "string", "enum": ["supports", "leans", "conditional", "undeclared", "withholds", "objects"]},
                    "source": {"type": "string"}, "date": {"type": "string", "format": "date"},
                    "attribution": {"type": "string", "enum": ["official", "on_record", "anonymous", "inferred"]},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1}, "speaker": {"type": "string"},
                    "reasons": {"type": "array", "items": {"type": "string"}}, "conditions": {"type": "array", "items": {"type": "string"}},
                    "follows": {"type": "string"}, "visibility": {"type": "string", "enum": ["public", "chair_only"]}}},
                "Condition": {"type": "object", "required": ["member", "condition", "text", "source"], "properties": {
                    "member": {"type": "string"}, "candidate": {"type": "string"}, "condition": {"type": "string"}, "text": {"type": "string"},
                    "source": {"type": "string"}, "date": {"type": "string", "format": "date"}, "attribution": {"type": "string"},
                    "confidence": {"type": "number"}, "speaker": {"type": "string"}}},
                "Commitment": {"type": "object", "required": ["candidate", "text", "source"], "properties": {
                    "candidate": {"type": "string"}, "text": {"type": "string"},
                    "meets": {"type": "array", "items": {"type": "object", "properties": {"member": {"type": "string"}, "condition": {"type": "string"}}}},
                    "source": {"type": "string"}, "date": {"type": "string", "format": "date"}, "attribution": {"type": "string"},
                    "confidence": {"type": "number"}, "speaker": {"type": "string"}}},
                "OpenProcedure": {"type": "object", "required": ["candidate", "draft", "deadline"], "properties": {
                    "procedure": {"type": "string"}, "candidate": {"type": "string"},
                    "draft": {"type": "string", "example": "appoint Mark Rutte as Secretary General from 1 October 2024"},
                    "deadline": {"type": "string", "example": "2024-06-26T12:00:00+02:00[Europe/Brussels]"},
                    "time_zone": {"type": "string", "example": "Europe/Brussels"}}},
                "Break": {"type": "object", "required": ["statement"], "properties": {"member": {"type": "string"}, "statement": {"type": "string"}}},
                "Withdraw": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
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
                "WhatIf": {"type": "object", "required": ["edits"], "properties": {
                    "as_of": {"type": "string", "format": "date", "description": "default today"},
                    "edits": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Edit"}, "description": "applied in order"},
                    "trials": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "description": "default 20000"},
                    "seed": {"type": "integer", "minimum": 0}}}
            }
        },
        "security": [{"bearer": []}, {}],
        "paths": {
            "/api/openapi.json": {"get": op("This document", "anyone", &[], None, "200")},
            "/api/me": {"get": op("Who the server takes the caller for", read, &[], None, "200")},
            "/api/contests": {
                "get": op("Every contest", read, &[], None, "200"),
                "post": op_with("Import a scenario TOML as a new contest (as `concord import FILE.toml`): 201 {id, events}; 409 `contest_exists`; 422 with every problem at its line and column; nothing written on any error", "chair", &[],
                    Some(text_body(&["application/toml", "text/plain"], "the scenario file")), "201")},
            "/api/contests/{id}/status": {"get": op("The board and the verdict as of a date (as `concord status --format json`)", read, ca, None, "200")},
            "/api/contests/{id}/members": {"get": op("Members counted on a date", read, ca, None, "200")},
            "/api/contests/{id}/members/{code}/history": {"get": op("Every event about one member", read, &["id", "code"], None, "200")},
            "/api/contests/{id}/candidates": {"get": op("Candidates on a date", read, ca, None, "200")},
            "/api/contests/{id}/reports": {
                "get": op("Stance reports on a date", read, ca, None, "200"),
                "post": op("Record a stance report", "chair (any); delegation (its own member); analyst (public only)", c, Some("Report"), "201")},
            "/api/contests/{id}/reports.csv": {"post": op_with("Import a CSV of stance reports (as `concord import FILE.csv --contest ID`): 201 {imported}; 422 with every problem at its line and column; all rows or none", "chair (any row); analyst (no chair_only rows); delegation (rows for its own member only)", c,
                Some(text_body(&["text/csv", "text/plain"], "header `date, member, candidate, stance, source` and optional columns, as `concord import` reads")), "201")},
            "/api/contests/{id}/conditions": {
                "get": op("Conditions set by members", read, ca, None, "200"),
                "post": op("Record a condition", "chair; analyst; delegation (its own member)", c, Some("Condition"), "201")},
            "/api/contests/{id}/commitments": {
                "get": op("Candidates' commitments", read, ca, None, "200"),
                "post": op("Record a commitment", "chair; analyst", c, Some("Commitment"), "201")},
            "/api/contests/{id}/export": {"get": op("The log as JSON lines (application/x-ndjson)", read, c, None, "200")},
            "/api/contests/{id}/verify": {"get": op("Recompute the hash chain", "chair", c, None, "200")},
            "/api/contests/{id}/procedures": {
                "get": op("Silence procedures with their status now", read, c, None, "200"),
                "post": op("Open a silence procedure", "chair", c, Some("OpenProcedure"), "201")},
            "/api/contests/{id}/procedures/{pid}": {"get": op("One silence procedure", read, &["id", "pid"], None, "200")},
            "/api/contests/{id}/procedures/{pid}/break": {"post": op("Break silence before the deadline", "delegation (its own member); chair", &["id", "pid"], Some("Break"), "201")},
            "/api/contests/{id}/procedures/{pid}/withdraw": {"post": op("Withdraw an open draft", "chair", &["id", "pid"], Some("Withdraw"), "201")},
            "/api/contests/{id}/events/stream": {"get": op("Server-Sent Events of new events (text/event-stream)", read, &["id", "after"], None, "200")},
            "/api/contests/{id}/ingest": {"post": op("Read a news article (plain text or HTML, at most 1 MiB) and store what it proposes — stance reports with their evidence, candidacies, withdrawals, commitments, milestones — as pending review: 201 {article, proposed, stored, notes}; 422 at `$.text` for an empty, binary or too large text or an article about another organisation; nothing is recorded until accepted", "chair; analyst", c, Some("Article"), "201")},
            "/api/contests/{id}/proposals": {"get": op_with("The review queue: proposals with their evidence and source (status pending by default; accepted, rejected or all)", "chair; analyst",
                &["id", "status"], None, "200")},
            "/api/contests/{id}/proposals/accept": {"post": op("Accept several proposals (in an order that keeps references valid for `all`): {decided, refused}; each is recorded through the same checks as any write", "chair; analyst", c, Some("Bulk"), "200")},
            "/api/contests/{id}/proposals/reject": {"post": op("Reject several proposals: the same article will not propose them again", "chair; analyst", c, Some("Bulk"), "200")},
            "/api/contests/{id}/proposals/{pid}/accept": {"post": op_with("Accept one proposal, optionally edited (an empty body accepts it as proposed): its events are recorded with the article as their source; 409 `decided` if it was already decided", "chair; analyst", &["id", "pid"],
                Some(json!({"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProposalEdit"}}}})), "200")},
            "/api/contests/{id}/proposals/{pid}/reject": {"post": op("Reject one proposal: remembered, so the same article does not propose it again", "chair; analyst", &["id", "pid"], None, "200")},
            "/api/contests/{id}/forecast": {"get": op("The forecast as of a date (as `concord forecast --format json`), computed only from what the caller may see; 409 `decided` once decided", read, &["id", "as_of", "trials", "seed"], None, "200")},
            "/api/contests/{id}/whatif": {"post": op("A what-if: {baseline, scenario, edits} (as `concord whatif --format json`), on the same random numbers, from what the caller may see", read, c, Some("WhatIf"), "200")}
        }
    })
}

/// `GET /api/openapi.json` (public: it describes, it reveals nothing).
pub async fn document() -> Json<Value> {
    Json(spec())
}

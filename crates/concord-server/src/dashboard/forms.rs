//! Working in the tracker: an analyst records a stance report, a condition or a commitment; a
//! delegation states its own position; a CSV of reports or a scenario is imported.
//!
//! One way in: every form fills the same domain command as the JSON API's body and hands it to
//! the application layer (`crate::app::writes`), which checks who may (the API's role checks)
//! and runs the domain's guard. Nothing is validated here: a refusal comes back with the
//! command's field names, and this module only places each message beside the field (or the
//! imported line) it names and draws the form again with what was typed, nothing written. On
//! success the browser is redirected (POST-redirect-GET) to the form's page, which says what
//! was recorded once, from a short-lived flash cookie.

use std::collections::BTreeMap;

use axum::extract::{Form, Path, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use concord_domain::command::{MakeCommitment, ReportStance, SetCondition};
use concord_domain::diagnostic::{Diagnostics, Location};
use concord_domain::event::ConditionRef;
use concord_domain::model::{Attribution, Stance};
use concord_domain::state::ContestState;
use concord_domain::{Refusal, Refusals};
use serde::{Deserialize, Serialize};

use super::board::folded;
use super::{PageError, Who, redirect, render, who};
use crate::app::writes::WriteError;
use crate::auth::Role;
use crate::{ApiError, AppState, Principal};

/// The one-shot confirmation shown after a successful form (POST-redirect-GET).
const FLASH_COOKIE: &str = "concord_flash";

/// What the confirmation says, and where to see what was written.
#[derive(Serialize, Deserialize, Default)]
struct Flash {
    text: String,
    link: Option<String>,
    link_text: Option<String>,
}

/// A redirect to `to` carrying `flash` (hex-encoded JSON: a cookie value needs no escaping).
fn redirect_with(to: &str, flash: &Flash) -> Response {
    let mut r = redirect(to);
    let value = hex::encode(serde_json::to_vec(flash).unwrap_or_default());
    let cookie = format!("{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=120");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    r
}

/// The flash the request carries, if any.
fn take_flash(headers: &HeaderMap) -> Option<Flash> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == FLASH_COOKIE)
        .and_then(|(_, v)| hex::decode(v).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
}

/// A page that showed a flash clears it, so a reload does not say it again.
fn shown(mut r: Response, flash: &Option<Flash>) -> Response {
    if flash.is_some() {
        let clear = format!("{FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        if let Ok(v) = HeaderValue::from_str(&clear) {
            r.headers_mut().append(SET_COOKIE, v);
        }
    }
    r
}

/// One choice of a select or a group of checkboxes.
#[derive(Serialize, Clone)]
struct Choice {
    value: String,
    label: String,
}

fn choice(value: impl Into<String>, label: impl Into<String>) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
    }
}

/// A form field as the template draws it: its label, what was typed, and its problems.
#[derive(Serialize)]
struct Field {
    name: &'static str,
    label: String,
    /// `select`, `text`, `url`, `date`, `textarea`, `hidden`, `checkboxes` or `radios`.
    kind: &'static str,
    value: String,
    /// The checked boxes of a `checkboxes` field.
    checked: Vec<String>,
    choices: Vec<Choice>,
    required: bool,
    hint: Option<String>,
    errors: Vec<String>,
    autocomplete: &'static str,
}

impl Field {
    fn new(name: &'static str, label: &str, kind: &'static str, value: &str) -> Field {
        Field {
            name,
            label: label.to_owned(),
            kind,
            value: value.to_owned(),
            checked: Vec::new(),
            choices: Vec::new(),
            required: false,
            hint: None,
            errors: Vec::new(),
            autocomplete: "off",
        }
    }

    fn required(mut self) -> Field {
        self.required = true;
        self
    }

    fn hint(mut self, hint: &str) -> Field {
        self.hint = Some(hint.to_owned());
        self
    }

    fn choices(mut self, choices: Vec<Choice>) -> Field {
        self.choices = choices;
        self
    }
}

/// A refusal in words: the message, what was expected, the near miss.
fn describe(message: &str, expected: Option<&str>, did_you_mean: Option<&str>) -> String {
    let mut line = message.to_owned();
    if let Some(e) = expected {
        line.push_str(&format!(" (expected {e})"));
    }
    if let Some(d) = did_you_mean {
        line.push_str(&format!(" — did you mean '{d}'?"));
    }
    line
}

/// Puts each refusal beside the field it names (`conditions[0]` beside `conditions`); one that
/// names no field of this form goes to the summary only. Returns the summary: (field id or
/// none, label, message), in the order of the form's fields.
fn place(fields: &mut [Field], refusals: &Refusals) -> Vec<minijinja::Value> {
    let mut summary = Vec::new();
    for r in &refusals.0 {
        let Refusal {
            field,
            message,
            expected,
            did_you_mean,
            ..
        } = r;
        let base = field.split(['[', '.']).next().unwrap_or(field);
        let text = describe(message, expected.as_deref(), did_you_mean.as_deref());
        match fields
            .iter_mut()
            .find(|f| f.name == base && f.kind != "hidden")
        {
            Some(f) => {
                f.errors.push(text.clone());
                summary.push(minijinja::context! { id => format!("f-{}", f.name), label => f.label.clone(), message => text });
            }
            None => summary.push(minijinja::context! { id => None::<String>, label => field.clone(), message => text }),
        }
    }
    summary
}

/// Members on the contest's date, by name: "Hungary (HUN)".
fn member_choices(s: &ContestState) -> Vec<Choice> {
    let mut v: Vec<Choice> = s
        .current_members()
        .map(|m| choice(&m.code, format!("{} ({})", m.name, m.code)))
        .collect();
    v.sort_by(|a, b| a.label.cmp(&b.label));
    v
}

fn candidate_choices(s: &ContestState) -> Vec<Choice> {
    s.candidates
        .iter()
        .map(|c| choice(&c.profile.id, &c.profile.name))
        .collect()
}

fn stance_label(s: Stance) -> &'static str {
    match s {
        Stance::Supports => "supports",
        Stance::Leans => "leans towards",
        Stance::Conditional => "supports on conditions",
        Stance::Undeclared => "has not declared",
        Stance::Withholds => "withholds consent",
        Stance::Objects => "objects",
    }
}

/// A stance's words for a confirmation, or the text as given.
fn stance_words(text: &str) -> String {
    Stance::parse(text.trim()).map_or_else(|| text.to_owned(), |s| stance_label(s).to_owned())
}

fn stance_choices() -> Vec<Choice> {
    Stance::ALL
        .iter()
        .map(|s| choice(s.as_str(), stance_label(*s)))
        .collect()
}

fn attribution_choices() -> Vec<Choice> {
    Attribution::ALL
        .iter()
        .map(|a| {
            choice(
                a.as_str(),
                match a {
                    Attribution::Official => "official (a government's own statement)",
                    Attribution::OnRecord => "on the record (a named official)",
                    Attribution::Anonymous => "anonymous sources",
                    Attribution::Inferred => "inferred (our reading)",
                },
            )
        })
        .collect()
}

/// A blank form's date: today, or the day of the decision for a contest decided before today
/// (the guard refuses what follows a decision, so today would only invite a refusal).
fn default_date(s: &ContestState, today: jiff::civil::Date) -> String {
    s.decision
        .as_ref()
        .map_or(today, |d| d.date.min(today))
        .to_string()
}

/// What a form says first of a decided contest.
fn decided_note(s: &ContestState) -> String {
    s.decision.as_ref().map_or_else(String::new, |d| {
        format!(
            " This contest was decided on {} ({} appointed): what is recorded now must be dated on or before it.",
            d.date.strftime("%-d %b %Y"),
            candidate_name(s, &d.candidate)
        )
    })
}

/// "22 Feb 2024" for a date the form was given, else the text as typed.
fn human_date(text: &str) -> String {
    text.trim()
        .parse::<jiff::civil::Date>()
        .map_or_else(|_| text.to_owned(), |d| d.strftime("%-d %b %Y").to_string())
}

/// The sub-navigation of the record pages, for the roles that may use each.
fn record_tabs(who: &Principal, current: &str) -> Vec<minijinja::Value> {
    let mut tabs = Vec::new();
    let analyst_or_chair = matches!(who.role, Role::Chair | Role::Analyst);
    if analyst_or_chair {
        tabs.push(("record", "Report a stance"));
        tabs.push(("record/condition", "Condition"));
        tabs.push(("record/commitment", "Commitment"));
    }
    if matches!(who.role, Role::Delegation(_)) {
        tabs.push(("position", "Our position"));
    }
    if !who.is_anonymous() && who.role != Role::Observer {
        tabs.push(("import", "Import reports (CSV)"));
    }
    tabs.into_iter()
        .map(|(path, label)| minijinja::context! { path => path, label => label, current => path == current })
        .collect()
}

/// What every form page shows beside its fields.
struct Page<'a> {
    id: &'a str,
    title: String,
    tab: &'a str,
    heading: &'a str,
    intro: String,
    action: String,
    submit: &'a str,
    fields: Vec<Field>,
    summary: Vec<minijinja::Value>,
    flash: Option<Flash>,
    aside: minijinja::Value,
}

fn draw(who: &Principal, page: Page<'_>, status: StatusCode) -> Response {
    let flash = page.flash;
    let ctx = minijinja::context! {
        id => page.id, title => page.title, tab => "record", subtab => page.tab,
        tabs => record_tabs(who, page.tab),
        heading => page.heading, intro => page.intro, action => page.action,
        submit => page.submit, fields => minijinja::value::Serde(&page.fields), summary => page.summary,
        flash => flash.as_ref().map(|f| minijinja::context! { text => f.text.clone(), link => f.link.clone(), link_text => f.link_text.clone() }),
        aside => page.aside,
    };
    let mut r = render("record.html", Some(who), ctx);
    *r.status_mut() = status;
    shown(r, &flash)
}

/// A refusal that belongs on the form (bad input) goes back to it; anything else (not allowed,
/// a conflict, a broken log) is the error page.
fn form_refusal(e: WriteError) -> Result<Refusals, PageError> {
    match e {
        WriteError::Refused(r) => {
            let as_error = ApiError::refused(&r, str::to_owned);
            match as_error {
                ApiError::BadInput { .. } => Ok(r),
                other => Err(other.into()),
            }
        }
        WriteError::Located(d) => Err(ApiError::bad_input(&d).into()),
        WriteError::Other(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// A stance report.

#[derive(Deserialize, Default)]
pub(super) struct ReportForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    candidate: String,
    #[serde(default)]
    stance: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    attribution: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    speaker: String,
    /// One reason a line.
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    csrf: Option<String>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn report_fields(s: &ContestState, who: &Principal, f: &ReportForm) -> Vec<Field> {
    let mut fields = vec![
        Field::new("member", "Member", "select", &f.member)
            .required()
            .choices(member_choices(s)),
        Field::new("candidate", "Candidate", "select", &f.candidate)
            .required()
            .choices(candidate_choices(s)),
        Field::new("stance", "Stance", "select", &f.stance)
            .required()
            .choices(stance_choices()),
        Field::new("source", "Source", "text", &f.source)
            .required()
            .hint("A URL, or a citation such as “Reuters, 18 Jun 2024”: every claim needs one."),
        Field::new("attribution", "Attribution", "select", &f.attribution)
            .required()
            .choices(attribution_choices()),
        Field::new("date", "Date it was said", "date", &f.date).required(),
        Field::new("speaker", "Speaker (optional)", "text", &f.speaker)
            .hint("Who said it, e.g. “Viktor Orbán, Prime Minister”."),
        Field::new(
            "reasons",
            "Reasons (optional, one a line)",
            "textarea",
            &f.reasons,
        ),
    ];
    if who.is_chair() {
        fields.push(
            Field::new("visibility", "Who may see it", "radios", &f.visibility).choices(vec![
                choice("public", "everyone"),
                choice("chair_only", "the chair only (told in confidence)"),
            ]),
        );
    }
    fields
}

fn contest_title(s: &ContestState) -> String {
    s.definition.title.clone()
}

/// `GET /contests/{id}/record`: the analyst's (or chair's) stance report form.
pub(super) async fn report_page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(&["chair", "analyst"], "record reports")?;
    let s = folded(&state, &id, state.today(), &who).await?;
    let blank = ReportForm {
        date: default_date(&s, state.today()),
        attribution: "official".to_owned(),
        visibility: "public".to_owned(),
        ..ReportForm::default()
    };
    let fields = report_fields(&s, &who, &blank);
    Ok(draw(
        &who,
        report_page_of(&id, &s, fields, Vec::new(), take_flash(&headers)),
        StatusCode::OK,
    ))
}

fn report_page_of<'a>(
    id: &'a str,
    s: &ContestState,
    fields: Vec<Field>,
    summary: Vec<minijinja::Value>,
    flash: Option<Flash>,
) -> Page<'a> {
    Page {
        id,
        title: contest_title(s),
        tab: "record",
        heading: "Report a stance",
        intro: format!(
            "What a member said (or was reported to think) about a candidate, with the source that backs it. It joins the board as of its date; a later report supersedes it.{}",
            decided_note(s)
        ),
        action: format!("/contests/{id}/record"),
        submit: "Record the report",
        fields,
        summary,
        flash,
        aside: minijinja::Value::UNDEFINED,
    }
}

/// `POST /contests/{id}/record`.
pub(super) async fn report(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<ReportForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let command = ReportStance {
        member: f.member.clone(),
        candidate: f.candidate.clone(),
        stance: f.stance.clone(),
        source: f.source.clone(),
        date: Some(f.date.clone()),
        attribution: Some(f.attribution.clone()),
        speaker: Some(f.speaker.clone()),
        reasons: lines(&f.reasons),
        visibility: Some(f.visibility.clone()).filter(|v| !v.is_empty()),
        ..ReportStance::default()
    };
    match state.report_stance(&who, &id, &command).await {
        Ok(_) => {
            let s = folded(&state, &id, state.today(), &who).await?;
            let flash = Flash {
                text: format!(
                    "Recorded: {} {} {} on {} ({}).",
                    member_name(&s, &f.member),
                    stance_words(&f.stance),
                    candidate_name(&s, &f.candidate),
                    human_date(&f.date),
                    f.attribution.replace('_', " "),
                ),
                link: Some(format!(
                    "/contests/{id}/cell/{}/{}?as_of={}",
                    f.member.trim(),
                    f.candidate.trim(),
                    f.date.trim()
                )),
                link_text: Some("See the cell's trail".to_owned()),
            };
            Ok(redirect_with(&format!("/contests/{id}/record"), &flash))
        }
        Err(e) => {
            let refusals = form_refusal(e)?;
            let s = folded(&state, &id, state.today(), &who).await?;
            let mut fields = report_fields(&s, &who, &f);
            let summary = place(&mut fields, &refusals);
            Ok(draw(
                &who,
                report_page_of(&id, &s, fields, summary, None),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

fn member_name(s: &ContestState, code: &str) -> String {
    s.member(code.trim())
        .map_or_else(|| code.to_owned(), |m| m.name.clone())
}

fn candidate_name(s: &ContestState, id: &str) -> String {
    s.candidate(id.trim())
        .map_or_else(|| id.to_owned(), |c| c.profile.name.clone())
}

// ---------------------------------------------------------------------------------------------
// A condition.

#[derive(Deserialize, Default)]
pub(super) struct ConditionForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    candidate: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    attribution: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    csrf: Option<String>,
}

fn condition_fields(s: &ContestState, f: &ConditionForm) -> Vec<Field> {
    let mut candidates = vec![choice("", "every candidate")];
    candidates.extend(candidate_choices(s));
    vec![
        Field::new("member", "Member setting it", "select", &f.member)
            .required()
            .choices(member_choices(s)),
        Field::new("candidate", "Asked of", "select", &f.candidate).choices(candidates),
        Field::new("text", "What the member asks", "textarea", &f.text)
            .required()
            .hint(
                "E.g. “a commitment that NATO will not train Ukrainian troops on Hungarian soil”.",
            ),
        Field::new("condition", "Short name", "text", &f.condition)
            .required()
            .hint("Unique for this member, lower case with hyphens, e.g. “no-ukraine-mission”."),
        Field::new("source", "Source", "text", &f.source).required(),
        Field::new("attribution", "Attribution", "select", &f.attribution)
            .required()
            .choices(attribution_choices()),
        Field::new("date", "Date it was set", "date", &f.date).required(),
    ]
}

fn condition_page_of<'a>(
    id: &'a str,
    s: &ContestState,
    fields: Vec<Field>,
    summary: Vec<minijinja::Value>,
    flash: Option<Flash>,
) -> Page<'a> {
    Page {
        id,
        title: contest_title(s),
        tab: "record/condition",
        heading: "Add a condition",
        intro: format!(
            "What a member asks before it will support: a commitment meeting it can release its hold.{}",
            decided_note(s)
        ),
        action: format!("/contests/{id}/record/condition"),
        submit: "Add the condition",
        fields,
        summary,
        flash,
        aside: minijinja::Value::UNDEFINED,
    }
}

/// `GET /contests/{id}/record/condition`.
pub(super) async fn condition_page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(&["chair", "analyst"], "record conditions")?;
    let s = folded(&state, &id, state.today(), &who).await?;
    let blank = ConditionForm {
        date: default_date(&s, state.today()),
        attribution: "official".to_owned(),
        ..ConditionForm::default()
    };
    let fields = condition_fields(&s, &blank);
    Ok(draw(
        &who,
        condition_page_of(&id, &s, fields, Vec::new(), take_flash(&headers)),
        StatusCode::OK,
    ))
}

/// `POST /contests/{id}/record/condition`.
pub(super) async fn condition(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<ConditionForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let command = SetCondition {
        member: f.member.clone(),
        candidate: Some(f.candidate.clone()).filter(|c| !c.trim().is_empty()),
        condition: f.condition.clone(),
        text: f.text.clone(),
        source: f.source.clone(),
        date: Some(f.date.clone()),
        attribution: Some(f.attribution.clone()),
        ..SetCondition::default()
    };
    match state.set_condition(&who, &id, &command).await {
        Ok(_) => {
            let s = folded(&state, &id, state.today(), &who).await?;
            let flash = Flash {
                text: format!(
                    "Added {}'s condition “{}” ({}), set on {}.",
                    member_name(&s, &f.member),
                    f.text.trim(),
                    f.condition.trim(),
                    human_date(&f.date)
                ),
                link: Some(format!("/contests/{id}?as_of={}", f.date.trim())),
                link_text: Some("See the board on that date".to_owned()),
            };
            Ok(redirect_with(
                &format!("/contests/{id}/record/condition"),
                &flash,
            ))
        }
        Err(e) => {
            let refusals = form_refusal(e)?;
            let s = folded(&state, &id, state.today(), &who).await?;
            let mut fields = condition_fields(&s, &f);
            let summary = place(&mut fields, &refusals);
            Ok(draw(
                &who,
                condition_page_of(&id, &s, fields, summary, None),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A commitment.

#[derive(Deserialize, Default)]
pub(super) struct CommitmentForm {
    #[serde(default)]
    candidate: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    attribution: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    csrf: Option<String>,
    /// The conditions it meets: one checkbox each, named `meets-N` with the value
    /// `MEMBER/condition` (a form cannot send a list under one name to this decoder).
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl CommitmentForm {
    fn meets(&self) -> Vec<String> {
        self.rest
            .iter()
            .filter(|(k, _)| k.starts_with("meets-"))
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn commitment_fields(s: &ContestState, f: &CommitmentForm) -> Vec<Field> {
    let conditions: Vec<Choice> = s
        .conditions
        .iter()
        .map(|c| {
            choice(
                format!("{}/{}", c.member, c.id),
                format!("{} · {}", member_name(s, &c.member), c.text),
            )
        })
        .collect();
    let mut meets = Field::new("meets", "Conditions it meets", "checkboxes", "")
        .choices(conditions)
        .hint("Tick every condition this promise answers; a member's hold resting on them may be released.");
    meets.checked = f.meets();
    vec![
        Field::new("candidate", "Candidate", "select", &f.candidate)
            .required()
            .choices(candidate_choices(s)),
        Field::new("text", "What the candidate promised", "textarea", &f.text).required(),
        meets,
        Field::new("source", "Source", "text", &f.source).required(),
        Field::new("attribution", "Attribution", "select", &f.attribution)
            .required()
            .choices(attribution_choices()),
        Field::new("date", "Date it was made", "date", &f.date).required(),
    ]
}

fn commitment_page_of<'a>(
    id: &'a str,
    s: &ContestState,
    fields: Vec<Field>,
    summary: Vec<minijinja::Value>,
    flash: Option<Flash>,
) -> Page<'a> {
    Page {
        id,
        title: contest_title(s),
        tab: "record/commitment",
        heading: "Add a commitment",
        intro: format!(
            "A candidate's public promise, and the members' conditions it meets.{}",
            decided_note(s)
        ),
        action: format!("/contests/{id}/record/commitment"),
        submit: "Add the commitment",
        fields,
        summary,
        flash,
        aside: minijinja::Value::UNDEFINED,
    }
}

/// `GET /contests/{id}/record/commitment`.
pub(super) async fn commitment_page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(&["chair", "analyst"], "record commitments")?;
    let s = folded(&state, &id, state.today(), &who).await?;
    let blank = CommitmentForm {
        date: default_date(&s, state.today()),
        attribution: "official".to_owned(),
        ..CommitmentForm::default()
    };
    let fields = commitment_fields(&s, &blank);
    Ok(draw(
        &who,
        commitment_page_of(&id, &s, fields, Vec::new(), take_flash(&headers)),
        StatusCode::OK,
    ))
}

/// `POST /contests/{id}/record/commitment`.
pub(super) async fn commitment(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<CommitmentForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let command = MakeCommitment {
        candidate: f.candidate.clone(),
        text: f.text.clone(),
        // A box's value is `MEMBER/condition`; one without the slash names no member, which
        // the guard refuses at `meets[i]` like any unknown condition.
        meets: f
            .meets()
            .into_iter()
            .map(|m| {
                let (member, condition) = m.split_once('/').unwrap_or(("", m.as_str()));
                ConditionRef {
                    member: member.to_owned(),
                    condition: condition.to_owned(),
                }
            })
            .collect(),
        source: f.source.clone(),
        date: Some(f.date.clone()),
        attribution: Some(f.attribution.clone()),
        ..MakeCommitment::default()
    };
    match state.make_commitment(&who, &id, &command).await {
        Ok(_) => {
            let s = folded(&state, &id, state.today(), &who).await?;
            let n = command.meets.len();
            let flash = Flash {
                text: format!(
                    "Added {}'s commitment “{}” ({} condition{} met), made on {}.",
                    candidate_name(&s, &f.candidate),
                    f.text.trim(),
                    n,
                    if n == 1 { "" } else { "s" },
                    human_date(&f.date)
                ),
                link: Some(format!("/contests/{id}?as_of={}", f.date.trim())),
                link_text: Some("See the board on that date".to_owned()),
            };
            Ok(redirect_with(
                &format!("/contests/{id}/record/commitment"),
                &flash,
            ))
        }
        Err(e) => {
            let refusals = form_refusal(e)?;
            let s = folded(&state, &id, state.today(), &who).await?;
            let mut fields = commitment_fields(&s, &f);
            let summary = place(&mut fields, &refusals);
            Ok(draw(
                &who,
                commitment_page_of(&id, &s, fields, summary, None),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A delegation's own position.

#[derive(Deserialize, Default)]
pub(super) struct PositionForm {
    /// The delegation's own member, from a hidden field: the application layer refuses any
    /// other (403), as the API does, so an edited form cannot speak for another member.
    #[serde(default)]
    member: String,
    #[serde(default)]
    candidate: String,
    #[serde(default)]
    stance: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    csrf: Option<String>,
}

fn position_fields(s: &ContestState, f: &PositionForm) -> Vec<Field> {
    vec![
        Field::new("member", "Member", "hidden", &f.member),
        Field::new("candidate", "Candidate", "select", &f.candidate)
            .required()
            .choices(candidate_choices(s)),
        Field::new("stance", "Our position", "select", &f.stance)
            .required()
            .choices(stance_choices()),
        Field::new("source", "Where it was stated", "text", &f.source)
            .required()
            .hint(
                "A URL of the statement, or e.g. “Note verbale to the Secretariat, 20 Jun 2024”.",
            ),
        Field::new("date", "Date", "date", &f.date).required(),
        Field::new(
            "reasons",
            "Reasons (optional, one a line)",
            "textarea",
            &f.reasons,
        ),
        Field::new("visibility", "Who may see it", "radios", &f.visibility).choices(vec![
            choice("public", "everyone (a public position)"),
            choice("chair_only", "the chair only (in confidence)"),
        ]),
    ]
}

/// The member's latest recorded stance on each candidate, as this reader may see it.
fn current_positions(s: &ContestState, member: &str) -> minijinja::Value {
    let rows: Vec<minijinja::Value> = s
        .candidates
        .iter()
        .map(|c| {
            let latest = s
                .reports
                .get(&(member.to_owned(), c.profile.id.clone()))
                .and_then(|v| v.last());
            minijinja::context! {
                candidate => c.profile.name.clone(),
                stance => latest.map(|e| stance_label(e.stance.stance)),
                date => latest.map(|e| e.valid.strftime("%-d %b %Y").to_string()),
                attribution => latest.map(|e| e.stance.report.attribution.as_str().replace('_', " ")),
            }
        })
        .collect();
    minijinja::context! { member => member_name(s, member), rows => rows }
}

fn position_page_of<'a>(
    id: &'a str,
    s: &ContestState,
    member: &str,
    fields: Vec<Field>,
    summary: Vec<minijinja::Value>,
    flash: Option<Flash>,
) -> Page<'a> {
    Page {
        id,
        title: contest_title(s),
        tab: "position",
        heading: "State our position",
        intro: format!(
            "The position of {} on a candidate, recorded as official. It supersedes earlier reports of it from its date.{}",
            member_name(s, member),
            decided_note(s)
        ),
        action: format!("/contests/{id}/position"),
        submit: "Record our position",
        fields,
        summary,
        flash,
        aside: current_positions(s, member),
    }
}

fn own_member(who: &Principal) -> Result<String, ApiError> {
    match &who.role {
        Role::Delegation(code) => Ok(code.clone()),
        _ if who.is_anonymous() => Err(ApiError::Unauthorized(
            "a delegation's page needs its token".to_owned(),
        )),
        _ => Err(ApiError::Forbidden(format!(
            "this page is a delegation's, for its own position; the role {} records reports on the record page",
            who.role
        ))),
    }
}

/// `GET /contests/{id}/position`: a delegation's page to state its own position.
pub(super) async fn position_page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let member = own_member(&who)?;
    let s = folded(&state, &id, state.today(), &who).await?;
    let blank = PositionForm {
        member: member.clone(),
        date: default_date(&s, state.today()),
        visibility: "public".to_owned(),
        ..PositionForm::default()
    };
    let fields = position_fields(&s, &blank);
    Ok(draw(
        &who,
        position_page_of(&id, &s, &member, fields, Vec::new(), take_flash(&headers)),
        StatusCode::OK,
    ))
}

/// `POST /contests/{id}/position`.
pub(super) async fn position(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<PositionForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let command = ReportStance {
        member: f.member.clone(),
        candidate: f.candidate.clone(),
        stance: f.stance.clone(),
        source: f.source.clone(),
        date: Some(f.date.clone()),
        attribution: Some("official".to_owned()),
        reasons: lines(&f.reasons),
        visibility: Some(f.visibility.clone()).filter(|v| !v.is_empty()),
        ..ReportStance::default()
    };
    match state.report_stance(&who, &id, &command).await {
        Ok(_) => {
            let s = folded(&state, &id, state.today(), &who).await?;
            let flash = Flash {
                text: format!(
                    "Recorded: {} {} {} from {}{}.",
                    member_name(&s, &f.member),
                    stance_words(&f.stance),
                    candidate_name(&s, &f.candidate),
                    human_date(&f.date),
                    if f.visibility == "chair_only" {
                        ", seen by the chair only"
                    } else {
                        ""
                    }
                ),
                link: None,
                link_text: None,
            };
            Ok(redirect_with(&format!("/contests/{id}/position"), &flash))
        }
        Err(e) => {
            let refusals = form_refusal(e)?;
            let member = own_member(&who)?;
            let s = folded(&state, &id, state.today(), &who).await?;
            let mut fields = position_fields(&s, &f);
            let summary = place(&mut fields, &refusals);
            Ok(draw(
                &who,
                position_page_of(&id, &s, &member, fields, summary, None),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Imports: a CSV of reports into a contest, a scenario as a new contest.

/// An import form's body: a file the API takes whole (its body limit) may triple in size when
/// a browser percent-encodes it; the text itself is held to the API's limit in the handler.
pub(super) const IMPORT_FORM_LIMIT: usize = 3 * 64 * 1024 + 4096;

/// The API's limit on an imported file, said beside the text box.
fn too_large(state: &AppState, text: &str) -> Option<Diagnostics> {
    let limit = state.settings.body_limit;
    (text.len() > limit).then(|| {
        let mut d = Diagnostics::default();
        d.push(concord_domain::diagnostic::Diagnostic::new(
            Location::Argument {
                name: "text".to_owned(),
            },
            format!(
                "the text is {} bytes, more than the {limit} this server accepts in one import",
                text.len()
            ),
        ));
        d
    })
}

#[derive(Deserialize, Default)]
pub(super) struct ImportForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    csrf: Option<String>,
}

/// The imported text line by line, each problem under the line it concerns; problems with no
/// line (or past the end) are listed first.
fn numbered(text: &str, problems: &Diagnostics) -> (Vec<minijinja::Value>, Vec<String>) {
    let mut at_line: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut general = Vec::new();
    let n_lines = text.lines().count();
    for d in &problems.0 {
        let text = describe(&d.message, d.expected.as_deref(), d.did_you_mean.as_deref());
        match &d.location {
            Location::Text { line, column, .. } if (1..=n_lines.max(1)).contains(line) => {
                at_line
                    .entry(*line)
                    .or_default()
                    .push(format!("column {column}: {text}"));
            }
            other => general.push(format!("{other}: {text}")),
        }
    }
    let rows = text
        .lines()
        .enumerate()
        .filter(|(i, _)| {
            // Long files: the lines with problems and a line of context either side.
            n_lines <= 60
                || at_line
                    .range(i.saturating_sub(1).max(1)..=i + 2)
                    .next()
                    .is_some()
        })
        .map(|(i, l)| {
            minijinja::context! {
                n => i + 1, text => l, problems => at_line.get(&(i + 1)).cloned().unwrap_or_default(),
            }
        })
        .collect();
    (rows, general)
}

struct ImportPage<'a> {
    id: Option<&'a str>,
    title: String,
    kind: &'a str,
    text: String,
    rows: Vec<minijinja::Value>,
    general: Vec<String>,
    summary: Option<String>,
    flash: Option<Flash>,
}

fn draw_import(who: &Principal, page: ImportPage<'_>, status: StatusCode) -> Response {
    let flash = page.flash;
    let ctx = minijinja::context! {
        id => page.id, title => page.title, tab => if page.id.is_some() { "record" } else { "" },
        subtab => "import", tabs => record_tabs(who, "import"),
        kind => page.kind, text => page.text, rows => page.rows, general => page.general,
        summary => page.summary,
        flash => flash.as_ref().map(|f| minijinja::context! { text => f.text.clone(), link => f.link.clone(), link_text => f.link_text.clone() }),
        header => "date,member,candidate,stance,source,attribution,visibility",
    };
    let mut r = render("import.html", Some(who), ctx);
    *r.status_mut() = status;
    shown(r, &flash)
}

/// `GET /contests/{id}/import`: a CSV of stance reports.
pub(super) async fn import_reports_page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(&["chair", "delegation", "analyst"], "import reports")?;
    let s = folded(&state, &id, state.today(), &who).await?;
    let page = ImportPage {
        id: Some(&id),
        title: contest_title(&s),
        kind: "reports",
        text: String::new(),
        rows: Vec::new(),
        general: Vec::new(),
        summary: None,
        flash: take_flash(&headers),
    };
    Ok(draw_import(&who, page, StatusCode::OK))
}

/// `POST /contests/{id}/import`: every row written, or none.
pub(super) async fn import_reports(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<ImportForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let result = match too_large(&state, &f.text) {
        Some(d) => Err(WriteError::Located(d)),
        None => state.import_reports(&who, &id, &f.text).await,
    };
    match result {
        Ok(n) => {
            let flash = Flash {
                text: format!(
                    "Imported {n} report{} into the contest.",
                    if n == 1 { "" } else { "s" }
                ),
                link: Some(format!("/contests/{id}")),
                link_text: Some("See the board".to_owned()),
            };
            Ok(redirect_with(&format!("/contests/{id}/import"), &flash))
        }
        Err(WriteError::Located(d)) => {
            let s = folded(&state, &id, state.today(), &who).await?;
            let (rows, general) = numbered(&f.text, &d);
            let n = d.0.len();
            let page = ImportPage {
                id: Some(&id),
                title: contest_title(&s),
                kind: "reports",
                summary: Some(format!(
                    "{n} problem{} found; nothing was imported. Each is shown under its line below; correct the text and import again.",
                    if n == 1 { "" } else { "s" }
                )),
                text: f.text,
                rows,
                general,
                flash: None,
            };
            Ok(draw_import(&who, page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(match e {
            WriteError::Refused(r) => ApiError::refused(&r, str::to_owned).into(),
            WriteError::Other(e) => e.into(),
            WriteError::Located(_) => unreachable!("handled above"),
        }),
    }
}

/// `GET /import`: the chair creates a contest from a scenario.
pub(super) async fn import_scenario_page(
    w: Who,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(&["chair"], "import contests")?;
    let page = ImportPage {
        id: None,
        title: String::new(),
        kind: "scenario",
        text: String::new(),
        rows: Vec::new(),
        general: Vec::new(),
        summary: None,
        flash: take_flash(&headers),
    };
    Ok(draw_import(&who, page, StatusCode::OK))
}

/// `POST /import`: a new contest, all of it or nothing.
pub(super) async fn import_scenario(
    State(state): State<AppState>,
    w: Who,
    Form(f): Form<ImportForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let result = match too_large(&state, &f.text) {
        Some(d) => Err(WriteError::Located(d)),
        None => state.import_scenario(&who, &f.text).await,
    };
    match result {
        Ok((id, n)) => {
            let flash = Flash {
                text: format!("Created the contest {id} from the scenario ({n} events)."),
                link: Some(format!("/contests/{id}")),
                link_text: Some("Open its board".to_owned()),
            };
            Ok(redirect_with("/import", &flash))
        }
        Err(WriteError::Located(d)) => {
            let (rows, general) = numbered(&f.text, &d);
            let n = d.0.len();
            let page = ImportPage {
                id: None,
                title: String::new(),
                kind: "scenario",
                summary: Some(format!(
                    "{n} problem{} found; no contest was created. Each is shown under its line below; correct the text and import again.",
                    if n == 1 { "" } else { "s" }
                )),
                text: f.text,
                rows,
                general,
                flash: None,
            };
            Ok(draw_import(&who, page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(match e {
            WriteError::Refused(r) => ApiError::refused(&r, str::to_owned).into(),
            WriteError::Other(e) => e.into(),
            WriteError::Located(_) => unreachable!("handled above"),
        }),
    }
}

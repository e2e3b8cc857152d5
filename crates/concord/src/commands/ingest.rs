//! `concord ingest`: read a news article and print the stance reports (and candidacies,
//! conditions, commitments, milestones) it proposes for a contest; or, with `--score`, score
//! the reader against gold annotations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use concord_domain::diagnostic::did_you_mean;
use concord_domain::{ContestState, interchange};
use concord_ingest::review::ArticleSource;
use concord_ingest::score::{self, ArticleScore, Counts, Gold};
use concord_ingest::{ContestFacts, ReadError, Reader, Reading};
use concord_ledger::review::{self, QueueItem, ReviewError};
use concord_store::ProposalStatus;
use jiff::civil::Date;
use serde::Deserialize;

use crate::settings::Context;

/// The contests of the development set, bundled so that scoring needs no store.
const DEVSET_CONTESTS: &str = include_str!("../../../concord-ingest/devset/contests.json");

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// The article: plain text or HTML.
    #[arg(required_unless_present = "score")]
    pub file: Option<PathBuf>,
    /// The contest the article is read for (it must be in the store).
    #[arg(long, required_unless_present = "score")]
    pub contest: Option<String>,
    /// Where the article was published (kept with the proposals as their source).
    #[arg(long)]
    pub url: Option<String>,
    /// The outlet's name.
    #[arg(long)]
    pub outlet: Option<String>,
    /// The publication date (YYYY-MM-DD): the date the article speaks for. Default: today.
    #[arg(long)]
    pub published: Option<String>,
    /// Score the reader against a folder of gold annotations (*.json, see the guide).
    #[arg(long, value_name = "GOLD_DIR", requires = "texts", conflicts_with_all = ["file", "contest"])]
    pub score: Option<PathBuf>,
    /// The folder holding the articles' texts, named as each gold file's `article`.
    #[arg(long, value_name = "DIR")]
    pub texts: Option<PathBuf>,
    /// Contest facts for scoring: a contests file (as `devset/contests.json`) or a folder of
    /// historical cases in the interchange format (as `cases/`). The development set's
    /// contests are bundled and used first; then this; then `cases/` in the working directory.
    #[arg(long, value_name = "FILE|DIR")]
    pub contests: Option<PathBuf>,
    /// With --score: list every difference (missed, spurious, wrong stance or attribution).
    #[arg(long)]
    pub details: bool,
    /// Only print what the article proposes; store nothing for review.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Exit code for an article that yields nothing (bad input, another organisation).
const NOTHING: u8 = 2;

fn reader() -> anyhow::Result<Reader> {
    Reader::bundled().context("the bundled gazetteers or lexicon do not parse")
}

fn parse_date(arg: &str, value: &str) -> anyhow::Result<Date> {
    value
        .parse()
        .with_context(|| format!("argument {arg}: '{value}' is not a date (expected YYYY-MM-DD)"))
}

/// `concord ingest FILE --contest ID`: reads the article and stores what it proposes as
/// pending review (or, with --dry-run, only prints it).
pub async fn run(ctx: &Context, args: &IngestArgs) -> anyhow::Result<ExitCode> {
    let (Some(file), Some(contest)) = (&args.file, &args.contest) else {
        bail!("give an article and --contest ID (or --score GOLD_DIR --texts DIR)");
    };
    let published = match &args.published {
        Some(p) => parse_date("--published", p)?,
        None => {
            let today = ctx.today();
            eprintln!("note: no --published date; reading the article as of today, {today}");
            today
        }
    };
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let known = ctx.ledger.contests().await?;
    if !known.iter().any(|c| &c.id == contest) {
        let hint = did_you_mean(contest, known.iter().map(|c| c.id.as_str()))
            .map(|d| format!(" — did you mean '{d}'?"))
            .unwrap_or_default();
        let list = if known.is_empty() {
            "the store holds no contest: import one first (concord import nato-sg-2024)".to_owned()
        } else {
            format!(
                "the store holds: {}",
                known
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        eprintln!("error: argument --contest: unknown contest '{contest}'{hint}; {list}");
        eprintln!("nothing proposed");
        return Ok(ExitCode::from(NOTHING));
    }
    let reader = reader()?;
    let source = ArticleSource {
        url: args.url.clone(),
        outlet: args.outlet.clone(),
        file: Some(file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )),
        published,
    };
    if args.dry_run {
        let facts = review::facts(&ctx.ledger, contest, published).await?;
        let (text, reading) = match reader.read_bytes(&bytes, &facts, published) {
            Ok(r) => r,
            Err(e) => return Ok(nothing(file, &e)),
        };
        match args.format {
            Format::Json => {
                let out = serde_json::json!({
                    "source": source,
                    "bytes": text.len(),
                    "reading": reading,
                });
                outln!("{}", serde_json::to_string_pretty(&out)?);
            }
            Format::Table => print_reading(&reading, args)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ingested = match review::ingest(
        &ctx.ledger,
        &reader,
        contest,
        &bytes,
        source,
        ctx.now(),
        &ctx.author(),
    )
    .await
    {
        Ok(i) => i,
        Err(ReviewError::Read(e)) => return Ok(nothing(file, &e)),
        Err(e) => return Err(e.into()),
    };
    match args.format {
        Format::Json => {
            let items: Vec<serde_json::Value> = ingested.stored.iter().map(queue_json).collect();
            let out = serde_json::json!({
                "article": ingested.article,
                "proposed": ingested.proposed,
                "stored": items,
                "notes": ingested.notes,
            });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => {
            for item in &ingested.stored {
                print_item(item)?;
            }
            let skipped = ingested.proposed - ingested.stored.len();
            outln!(
                "\n{} proposal{} pending review{}: concord review --contest {contest}",
                ingested.stored.len(),
                if ingested.stored.len() == 1 { "" } else { "s" },
                if skipped > 0 {
                    format!(
                        " ({skipped} already proposed or rejected for this article, not repeated)"
                    )
                } else {
                    String::new()
                }
            );
            for n in &ingested.notes {
                outln!("note: {n}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn nothing(file: &Path, e: &ReadError) -> ExitCode {
    eprintln!("error: {}: {e}", file.display());
    eprintln!("nothing proposed");
    ExitCode::from(NOTHING)
}

/// A queue item as JSON: its id, status, kind and everything proposed.
pub fn queue_json(item: &QueueItem) -> serde_json::Value {
    item.to_json()
}

/// A queue item for people: one line, then the evidence and the source.
pub fn print_item(item: &QueueItem) -> std::io::Result<()> {
    let p = &item.pending.proposal;
    let status = match item.record.status {
        ProposalStatus::Pending => String::new(),
        other => format!(" [{}]", other.as_str()),
    };
    outln!(
        "\n#{} {}: {}{}",
        item.record.id,
        p.kind(),
        p.summary(),
        status
    );
    if let concord_ingest::review::Proposal::Stance(s) = p {
        for c in &s.conditions {
            outln!("      condition: {c}");
        }
    }
    for e in p.evidence() {
        outln!("      evidence: {}", e.text);
    }
    outln!("      source: {}", item.pending.source.citation());
    Ok(())
}

fn print_reading(r: &Reading, args: &IngestArgs) -> std::io::Result<()> {
    let source = args
        .url
        .clone()
        .or_else(|| args.file.as_ref().map(|f| f.display().to_string()))
        .unwrap_or_default();
    outln!(
        "{} — {}{} (published {})",
        r.contest,
        source,
        args.outlet
            .as_ref()
            .map(|o| format!(", {o}"))
            .unwrap_or_default(),
        r.published
    );
    if r.is_empty() {
        outln!(
            "\nnothing to propose: the article states no stance, candidacy or date the reader recognises"
        );
        return Ok(());
    }
    if !r.stances.is_empty() {
        outln!("\nproposed stance reports ({}):", r.stances.len());
        for (i, p) in r.stances.iter().enumerate() {
            outln!(
                "\n{:>2}. {} ({}) {} {} — {}{}{}",
                i + 1,
                p.member,
                p.member_name,
                p.stance,
                p.candidate_name,
                p.attribution.as_str(),
                p.speaker
                    .as_ref()
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default(),
                p.group
                    .as_ref()
                    .map(|g| format!(" [group: {g}]"))
                    .unwrap_or_default(),
            );
            for c in &p.conditions {
                outln!("      condition: {c}");
            }
            outln!("      cue: {}", p.cues.join("; "));
            for e in &p.evidence {
                outln!("      evidence [{}..{}]: {}", e.start, e.end, e.text);
            }
        }
    }
    for c in &r.candidacies {
        outln!(
            "\ncandidacy: {} ({}) — {}\n      evidence: {}",
            c.name,
            if c.declared { "declared" } else { "potential" },
            c.nationality.as_deref().unwrap_or("no nationality"),
            joined(&c.evidence)
        );
    }
    for w in &r.withdrawals {
        outln!(
            "\nwithdrawal: {}\n      evidence: {}",
            w.name,
            joined(&w.evidence)
        );
    }
    for c in &r.conditions {
        outln!(
            "\ncondition: {} asks of {}: {}",
            c.member,
            c.candidate,
            c.text
        );
    }
    for c in &r.commitments {
        outln!(
            "\ncommitment: {} — {} (meets {})\n      evidence: {}",
            c.candidate,
            c.text,
            c.meets
                .iter()
                .map(|(m, id)| format!("{m}:{id}"))
                .collect::<Vec<_>>()
                .join(", "),
            joined(&c.evidence)
        );
    }
    for m in &r.milestones {
        outln!(
            "\nmilestone: {} {} — {}\n      evidence: {}",
            m.date,
            m.kind.as_str(),
            m.label,
            joined(&m.evidence)
        );
    }
    for n in &r.notes {
        outln!("\nnote: {n}");
    }
    Ok(())
}

fn joined(spans: &[concord_ingest::Span]) -> String {
    spans
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" … ")
}

#[derive(Deserialize)]
struct ContestsFile {
    contests: Vec<ContestFacts>,
}

/// Contest facts from a contests file, or from every historical case (interchange format) in a
/// folder: members as on the case's last day, every candidate it names.
fn load_contests(path: &Path) -> anyhow::Result<Vec<(String, ContestFacts)>> {
    if path.is_dir() {
        let mut out = Vec::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            // Not a case (or not a readable one): not a contest to score against.
            let Ok(case) = interchange::parse(&f.display().to_string(), &text) else {
                continue;
            };
            let id = case.scenario.definition.id.clone();
            let events = concord_domain::event::seal_all(
                case.scenario.into_events("score"),
                None,
                jiff::Timestamp::UNIX_EPOCH,
            );
            if let Ok(state) = ContestState::fold(&events, Date::MAX) {
                out.push((id, ContestFacts::from_state(&state, Date::MAX)));
            }
        }
        return Ok(out);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: ContestsFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a contests file", path.display()))?;
    Ok(file
        .contests
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect())
}

/// `concord ingest --score GOLD_DIR --texts DIR`.
pub fn score(args: &IngestArgs) -> anyhow::Result<ExitCode> {
    let (Some(gold_dir), Some(texts)) = (&args.score, &args.texts) else {
        bail!("--score GOLD_DIR needs --texts DIR");
    };
    let mut contests: BTreeMap<String, ContestFacts> = BTreeMap::new();
    let bundled: ContestsFile =
        serde_json::from_str(DEVSET_CONTESTS).context("the bundled contests do not parse")?;
    for c in bundled.contests {
        contests.insert(c.id.clone(), c);
    }
    let mut sources: Vec<PathBuf> = args.contests.iter().cloned().collect();
    if Path::new("cases").is_dir() {
        sources.push(PathBuf::from("cases"));
    }
    for source in sources {
        for (id, facts) in load_contests(&source)? {
            contests.entry(id).or_insert(facts);
        }
    }
    let reader = reader()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(gold_dir)
        .with_context(|| format!("cannot read {}", gold_dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{} holds no gold annotations (*.json)", gold_dir.display());
    }
    let mut results: Vec<ArticleScore> = Vec::new();
    let mut skipped = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let json = std::fs::read_to_string(f).with_context(|| format!("cannot read {name}"))?;
        let gold = match Gold::parse(&name, &json) {
            Ok(g) => g,
            Err(e) => {
                skipped.push(format!("{e}"));
                continue;
            }
        };
        let Some(facts) = contests.get(&gold.contest) else {
            skipped.push(format!("{name}: unknown contest '{}'", gold.contest));
            continue;
        };
        let text_path = texts.join(&gold.article);
        let bytes = match std::fs::read(&text_path) {
            Ok(b) => b,
            Err(e) => {
                skipped.push(format!("{name}: article {}: {e}", text_path.display()));
                continue;
            }
        };
        let (text, reading) = match reader.read_bytes(&bytes, facts, gold.published) {
            Ok(r) => r,
            Err(ReadError::NotAboutContest { .. }) | Err(ReadError::Input(_)) => {
                // Nothing proposed: scored as such.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                (
                    text,
                    Reading {
                        contest: gold.contest.clone(),
                        published: gold.published,
                        stances: Vec::new(),
                        candidacies: Vec::new(),
                        withdrawals: Vec::new(),
                        conditions: Vec::new(),
                        commitments: Vec::new(),
                        milestones: Vec::new(),
                        notes: Vec::new(),
                    },
                )
            }
        };
        results.push(score::score_article(&gold, &text, &reading));
    }
    let summary = score::summarise(&results);
    match args.format {
        Format::Json => {
            let out =
                serde_json::json!({"summary": summary, "articles": results, "skipped": skipped});
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => print_scores(&results, &summary, &skipped, args.details, gold_dir)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn prf(c: &Counts) -> String {
    format!(
        "P {:.3}  R {:.3}  F1 {:.3}",
        c.precision(),
        c.recall(),
        c.f1()
    )
}

fn print_scores(
    results: &[ArticleScore],
    summary: &score::Summary,
    skipped: &[String],
    details: bool,
    gold_dir: &Path,
) -> std::io::Result<()> {
    outln!(
        "scored {} article{} from {} (lenient: also_acceptable counts as correct, full credit)\n",
        summary.articles,
        if summary.articles == 1 { "" } else { "s" },
        gold_dir.display()
    );
    outln!(
        "{:<34} {:>4} {:>4} {:>7} {:>7} {:>8} {:>8} {:>8}",
        "article",
        "gold",
        "prop",
        "strict",
        "lenient",
        "s+attr",
        "l+attr",
        "evidence"
    );
    for a in results {
        let s = &a.scores;
        let name: String = a.article.chars().take(34).collect();
        outln!(
            "{:<34} {:>4} {:>4} {:>7.3} {:>7.3} {:>8.3} {:>8.3} {:>5}/{:<2}",
            name,
            s.strict.gold,
            s.strict.proposed,
            s.strict.f1(),
            s.lenient.f1(),
            s.strict_attribution.f1(),
            s.lenient_attribution.f1(),
            s.evidence_found,
            s.matched
        );
    }
    let m = &summary.micro;
    outln!("\nmicro-averaged over {} articles:", summary.articles);
    outln!("  (member, candidate)                 {}", prf(&m.pairs));
    outln!("  + stance, strict                    {}", prf(&m.strict));
    outln!("  + stance, lenient                   {}", prf(&m.lenient));
    outln!(
        "  + stance and attribution, strict    {}",
        prf(&m.strict_attribution)
    );
    outln!(
        "  + stance and attribution, lenient   {}",
        prf(&m.lenient_attribution)
    );
    outln!(
        "  groups collapsed, strict            {}",
        prf(&m.collapsed_strict)
    );
    outln!(
        "  groups collapsed, lenient           {}",
        prf(&m.collapsed_lenient)
    );
    outln!(
        "  evidence: {} of {} matched pairs cite a gold sentence; {} cite only gold sentences",
        m.evidence_found,
        m.matched,
        m.evidence_all_in_gold
    );
    outln!(
        "macro (mean per-article F1): strict {:.3}, lenient {:.3}, strict+attr {:.3}, lenient+attr {:.3}",
        summary.macro_f1[0],
        summary.macro_f1[1],
        summary.macro_f1[2],
        summary.macro_f1[3]
    );
    for s in skipped {
        outln!("skipped: {s}");
    }
    if details {
        for a in results {
            if a.differences.is_empty() {
                continue;
            }
            outln!("\n{} ({}):", a.article, a.contest);
            for d in &a.differences {
                outln!(
                    "  {:<11} {} / {}: {}",
                    d.what,
                    d.member,
                    d.candidate,
                    d.detail
                );
            }
        }
    }
    Ok(())
}

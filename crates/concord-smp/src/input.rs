//! KTAB's CSV and XML scenario formats, parsed from strings with located errors.
//!
//! Both readers validate everything KTAB's readers check, and more (e.g. a positive salience on
//! some dimension, without which KTAB fails later), and report every problem at once, each as
//! `file:line:column: expected …, found …`.
//!
//! The XML reader follows KTAB's code rather than its XSD: it requires `<prngSeed>` and
//! `<IdealAdjustment>` with at least one `<iaPair>` (trap 4 of `smp.md`; concord accepts a missing
//! `<IdealAdjustment>` as the identity, since the XSD marks it optional). Parameter values use the
//! code's names (`Prop`, `None`), the XSD's (`Proportional`, `No`) are accepted too.

use std::fmt;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::params::{
    BargnModel, BigRAdjust, BigRRange, InterVecBrgn, Params, PceModel, StateTransitions,
    ThirdPartyCommit, VictoryProbModel, VotingRule,
};
use crate::scenario::{Actor, MAX_ACTORS, MAX_DIMENSIONS, MIN_ACTORS, Scenario};

/// One problem in an input file, located by line and column (both from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every problem found in an input file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, p) in self.problems.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// KTAB's length limits.
const MAX_ACTOR_NAME: usize = 25;
const MAX_ACTOR_DESC: usize = 256;
const MAX_DIM_NAME: usize = 256;
const MAX_SCEN_TEXT: usize = 512;

/// Reads a scenario, choosing the format from the file name's extension (`.csv` or `.xml`).
pub fn parse_file(text: &str, file: &str) -> Result<Scenario, InputError> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".xml") {
        parse_xml(text, file)
    } else if lower.ends_with(".csv") {
        parse_csv(text, file)
    } else if text.trim_start().starts_with('<') {
        parse_xml(text, file)
    } else {
        parse_csv(text, file)
    }
}

// ------------------------------------------------------------------------------------------
// CSV

/// A CSV field with where it starts.
struct Field {
    text: String,
    column: usize,
}

/// Splits one line on commas; double quotes protect commas and are removed, like KTAB's
/// `enable_trim_quote_on_str`. Surrounding spaces are trimmed.
fn split_csv_line(line: &str) -> Vec<Field> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start_col = 1;
    let mut in_quotes = false;
    let mut col = 0;
    for ch in line.chars() {
        col += 1;
        match ch {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                out.push(finish_field(&cur, start_col));
                cur.clear();
                start_col = col + 1;
            }
            _ => cur.push(ch),
        }
    }
    out.push(finish_field(&cur, start_col));
    out
}

fn finish_field(raw: &str, start_col: usize) -> Field {
    let lead = raw.chars().take_while(|c| c.is_whitespace()).count();
    Field {
        text: raw.trim().to_string(),
        column: start_col + lead,
    }
}

struct Collector<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Collector<'_> {
    fn push(&mut self, line: usize, column: usize, message: String) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            line,
            column,
            message,
        });
    }
}

fn get(f: &[Field], k: usize) -> (&str, usize) {
    f.get(k).map_or(("", 0), |x| (x.text.as_str(), x.column))
}

fn show(s: &str) -> String {
    if s.is_empty() {
        "nothing".to_string()
    } else {
        format!("'{s}'")
    }
}

/// KTAB's CSV format: a title row (name, description, actors, dimensions), a header row
/// (actor, description, capability, then a position and a salience column per dimension), and
/// one row per actor. CSV input always runs with the default parameters.
pub fn parse_csv(text: &str, file: &str) -> Result<Scenario, InputError> {
    let mut c = Collector {
        file,
        problems: Vec::new(),
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(k, l)| (k + 1, l.trim_end_matches('\r')))
        .collect();
    let mut rows = lines.iter().filter(|(_, l)| !l.trim().is_empty());
    let fail = |c: Collector| {
        Err(InputError {
            problems: c.problems,
        })
    };

    let Some(&(ln, title)) = rows.next() else {
        c.push(
            1,
            1,
            "expected a title row (name, description, actors, dimensions), found nothing".into(),
        );
        return fail(c);
    };
    let f = split_csv_line(title);
    let end_col = |l: &str| l.chars().count() + 1;
    let (name, _) = get(&f, 0);
    let (desc, _) = get(&f, 1);
    if name.chars().count() > MAX_SCEN_TEXT {
        c.push(
            ln,
            1,
            format!("expected a scenario name of at most {MAX_SCEN_TEXT} characters"),
        );
    }
    let count = |k: usize, what: &str, c: &mut Collector| -> Option<usize> {
        let (t, col) = get(&f, k);
        let col = if col == 0 { end_col(title) } else { col };
        match t.parse::<usize>() {
            Ok(v) => Some(v),
            Err(_) => {
                c.push(
                    ln,
                    col,
                    format!("expected a whole number of {what}, found {}", show(t)),
                );
                None
            }
        }
    };
    let num_actors = count(2, "actors", &mut c);
    let num_dims = count(3, "dimensions", &mut c);
    if let Some(n) = num_actors
        && !(MIN_ACTORS..=MAX_ACTORS).contains(&n)
    {
        c.push(
            ln,
            get(&f, 2).1,
            format!("expected {MIN_ACTORS} to {MAX_ACTORS} actors, found {n}"),
        );
    }
    if num_dims == Some(0) {
        c.push(
            ln,
            get(&f, 3).1,
            "expected at least 1 dimension, found 0".into(),
        );
    }
    if let Some(nd) = num_dims
        && nd > MAX_DIMENSIONS
    {
        c.push(
            ln,
            get(&f, 3).1,
            format!("expected at most {MAX_DIMENSIONS} dimensions, found {nd}"),
        );
    }
    let (Some(n), Some(nd)) = (num_actors, num_dims) else {
        return fail(c);
    };
    if nd == 0 || !c.problems.is_empty() {
        return fail(c);
    }

    let Some(&(hl, header)) = rows.next() else {
        c.push(ln + 1, 1, "expected a header row (Actor, Description, Capability, then a position and a salience per dimension), found nothing".into());
        return fail(c);
    };
    let h = split_csv_line(header);
    let mut dims = Vec::with_capacity(nd);
    for d in 0..nd {
        let (t, col) = get(&h, 3 + 2 * d);
        if get(&h, 4 + 2 * d).1 == 0 {
            let col = if col == 0 {
                end_col(header)
            } else {
                get(&h, 4 + 2 * d).1.max(col)
            };
            c.push(
                hl,
                col,
                format!(
                    "expected a position and a salience column for dimension {}, found {} columns",
                    d + 1,
                    h.len()
                ),
            );
            break;
        }
        if t.chars().count() > MAX_DIM_NAME {
            c.push(
                hl,
                col,
                format!("expected a dimension name of at most {MAX_DIM_NAME} characters"),
            );
        }
        dims.push(t.to_string());
    }

    let mut actors = Vec::with_capacity(n);
    for a in 0..n {
        let Some(&(al, row)) = rows.next() else {
            let last = lines.last().map_or(1, |x| x.0);
            c.push(
                last,
                1,
                format!("expected {n} actor rows as the title row says, found {a}"),
            );
            break;
        };
        let f = split_csv_line(row);
        let (name, ncol) = get(&f, 0);
        if name.is_empty() {
            c.push(al, 1, "expected an actor name, found nothing".into());
        } else if name.chars().count() > MAX_ACTOR_NAME {
            c.push(
                al,
                ncol,
                format!(
                    "expected an actor name of at most {MAX_ACTOR_NAME} characters, found '{name}'"
                ),
            );
        }
        let (desc, dcol) = get(&f, 1);
        if desc.chars().count() > MAX_ACTOR_DESC {
            c.push(
                al,
                dcol,
                format!("expected a description of at most {MAX_ACTOR_DESC} characters"),
            );
        }
        let number = |k: usize, what: &str, lo: f64, hi: f64, c: &mut Collector| -> f64 {
            let (t, col) = get(&f, k);
            let col = if col == 0 { end_col(row) } else { col };
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= lo && v <= hi => v,
                Ok(v) => {
                    c.push(
                        al,
                        col,
                        format!("expected {what} in [{lo}, {hi}], found {v}"),
                    );
                    f64::NAN
                }
                Err(_) => {
                    c.push(
                        al,
                        col,
                        format!("expected a number for {what}, found {}", show(t)),
                    );
                    f64::NAN
                }
            }
        };
        let cap = number(2, "capability", 0.0, 1e8, &mut c);
        if cap == 0.0 {
            c.push(
                al,
                get(&f, 2).1,
                "expected a positive capability, found 0 (KTAB's voting rejects a weight of 0)"
                    .into(),
            );
        }
        let mut position = Vec::with_capacity(nd);
        let mut salience = Vec::with_capacity(nd);
        for d in 0..nd {
            position.push(number(3 + 2 * d, "position", 0.0, 100.0, &mut c));
            salience.push(number(4 + 2 * d, "salience", 0.0, 100.0, &mut c));
        }
        check_salience_total(&salience, &mut c, al, get(&f, 4).1.max(1));
        actors.push(Actor {
            name: name.to_string(),
            description: desc.to_string(),
            capability: cap,
            position,
            salience,
        });
    }
    if !c.problems.is_empty() {
        return fail(c);
    }
    let mut s = Scenario::new(name, dims, actors);
    s.description = desc.to_string();
    Ok(s)
}

fn check_salience_total(sal: &[f64], c: &mut Collector, line: usize, col: usize) {
    if sal.iter().any(|x| x.is_nan()) {
        return;
    }
    let total: f64 = sal.iter().sum();
    if total > 100.0 {
        c.push(
            line,
            col,
            format!("expected saliences summing to at most 100, found {total}"),
        );
    } else if total <= 0.0 {
        c.push(
            line,
            col,
            "expected a positive salience on at least one dimension, found all 0".into(),
        );
    }
}

// ------------------------------------------------------------------------------------------
// XML

/// A parsed XML element with its location.
struct Element {
    name: String,
    line: usize,
    column: usize,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|e| e.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |e| e.name == name)
    }
}

/// Line and column (from 1, in characters) of a byte offset.
fn locate(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |k| k + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn parse_tree(text: &str, file: &str) -> Result<Element, InputError> {
    let mut reader = Reader::from_str(text);
    let err = |offset: usize, message: String| {
        let (line, column) = locate(text, offset);
        InputError {
            problems: vec![Problem {
                file: file.to_string(),
                line,
                column,
                message,
            }],
        }
    };
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        line: 1,
        column: 1,
        text: String::new(),
        children: Vec::new(),
    }];
    loop {
        let start = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| {
            err(
                reader.error_position() as usize,
                format!("expected well-formed XML: {e}"),
            )
        })?;
        // the element starts at its '<', after any whitespace the reader skipped
        let tag_at = |s: usize| s + text[s..].find('<').unwrap_or(0);
        match ev {
            Event::Start(e) => {
                let (line, column) = locate(text, tag_at(start));
                stack.push(Element {
                    name: e.local_name().as_ref().to_string(),
                    line,
                    column,
                    text: String::new(),
                    children: Vec::new(),
                });
            }
            Event::Empty(e) => {
                let (line, column) = locate(text, tag_at(start));
                let el = Element {
                    name: e.local_name().as_ref().to_string(),
                    line,
                    column,
                    text: String::new(),
                    children: Vec::new(),
                };
                stack.last_mut().expect("root").children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                stack.last_mut().expect("root").children.push(el);
            }
            Event::Text(t) => stack
                .last_mut()
                .expect("root")
                .text
                .push_str(&t.xml10_content()),
            Event::CData(t) => stack
                .last_mut()
                .expect("root")
                .text
                .push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let s: String = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    _ => match r.xml10_content().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => {
                            return Err(err(
                                start,
                                format!("expected a known entity, found '&{other};'"),
                            ));
                        }
                    },
                };
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(err(
            text.len(),
            "expected closing tags, found the end of the file".into(),
        ));
    }
    Ok(stack.pop().expect("root"))
}

/// KTAB's XML format (`<Scenario>` with `<ModelParameters>`, `<Dimensions>`, `<Actors>` and
/// `<IdealAdjustment>`).
pub fn parse_xml(text: &str, file: &str) -> Result<Scenario, InputError> {
    let doc = parse_tree(text, file)?;
    let mut c = Collector {
        file,
        problems: Vec::new(),
    };
    let Some(root) = doc.child("Scenario") else {
        let (line, column) = doc.children.first().map_or((1, 1), |e| (e.line, e.column));
        c.push(line, column, "expected a root element <Scenario>".into());
        return Err(InputError {
            problems: c.problems,
        });
    };
    let missing = |c: &mut Collector, parent: &Element, name: &str| {
        c.push(
            parent.line,
            parent.column,
            format!(
                "expected a <{name}> element in <{}>, found none",
                parent.name
            ),
        );
    };
    let text_of =
        |c: &mut Collector, parent: &Element, name: &str| -> Option<(String, usize, usize)> {
            match parent.child(name) {
                None => {
                    missing(c, parent, name);
                    None
                }
                Some(e) => Some((e.text.trim().to_string(), e.line, e.column)),
            }
        };
    let name = root
        .child("name")
        .map(|e| e.text.trim().to_string())
        .unwrap_or_default();
    let desc = root
        .child("desc")
        .map(|e| e.text.trim().to_string())
        .unwrap_or_default();
    let mut seed = 0;
    if let Some((t, l, col)) = text_of(&mut c, root, "prngSeed") {
        match t.parse::<u64>() {
            Ok(v) => seed = v,
            Err(_) => c.push(
                l,
                col,
                format!("expected a whole number for prngSeed, found {}", show(&t)),
            ),
        }
    }

    let mut params = Params::default();
    if let Some(mp) = root.child("ModelParameters") {
        macro_rules! param {
            ($field:ident, $ty:ty) => {
                if let Some((t, l, col)) = text_of(&mut c, mp, <$ty>::KEY) {
                    match t.parse::<$ty>() {
                        Ok(v) => params.$field = v,
                        Err(e) => c.push(
                            l,
                            col,
                            format!(
                                "expected one of {} for {}, found {}",
                                e.expected.join(", "),
                                <$ty>::KEY,
                                show(&t)
                            ),
                        ),
                    }
                }
            };
        }
        param!(victory_prob_model, VictoryProbModel);
        param!(pce_model, PceModel);
        param!(state_transitions, StateTransitions);
        param!(voting_rule, VotingRule);
        param!(big_r_adjust, BigRAdjust);
        param!(big_r_range, BigRRange);
        param!(third_party_commit, ThirdPartyCommit);
        param!(inter_vec_brgn, InterVecBrgn);
        param!(bargn_model, BargnModel);
    }

    let mut dims = Vec::new();
    match root.child("Dimensions") {
        None => missing(&mut c, root, "Dimensions"),
        Some(d) => {
            for e in d.all("dName") {
                let t = e.text.trim();
                if t.is_empty() {
                    c.push(
                        e.line,
                        e.column,
                        "expected a dimension name, found nothing".into(),
                    );
                }
                dims.push(t.to_string());
            }
            if dims.is_empty() {
                missing(&mut c, d, "dName");
            }
        }
    }
    let nd = dims.len();

    let mut actors = Vec::new();
    match root.child("Actors") {
        None => missing(&mut c, root, "Actors"),
        Some(list) => {
            for a in list.all("Actor") {
                actors.push(xml_actor(&mut c, a, nd));
            }
            if !(MIN_ACTORS..=MAX_ACTORS).contains(&actors.len()) {
                c.push(
                    list.line,
                    list.column,
                    format!(
                        "expected {MIN_ACTORS} to {MAX_ACTORS} actors, found {}",
                        actors.len()
                    ),
                );
            }
        }
    }

    let mut acc = None;
    if let Some(ia) = root.child("IdealAdjustment") {
        let n = actors.len();
        let mut m: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
            .collect();
        let index = |c: &mut Collector, pair: &Element, tag: &str| -> Option<usize> {
            let (t, l, col) = text_of(c, pair, tag)?;
            // KTAB takes the first actor of that name
            let k = actors.iter().position(|a| a.name == t);
            if k.is_none() {
                c.push(
                    l,
                    col,
                    format!(
                        "expected the name of an actor for {tag}, found {}",
                        show(&t)
                    ),
                );
            }
            k
        };
        for pair in ia.all("iaPair") {
            let i = index(&mut c, pair, "adjustingIdeal");
            let j = index(&mut c, pair, "referencePos");
            let v =
                text_of(&mut c, pair, "adjust").and_then(|(t, l, col)| match t.parse::<f64>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => Some(v),
                    Ok(v) => {
                        c.push(
                            l,
                            col,
                            format!("expected an adjustment in [0, 1], found {v}"),
                        );
                        None
                    }
                    Err(_) => {
                        c.push(
                            l,
                            col,
                            format!("expected a number for adjust, found {}", show(&t)),
                        );
                        None
                    }
                });
            if let (Some(i), Some(j), Some(v)) = (i, j, v) {
                m[i][j] = v;
            }
        }
        if c.problems.is_empty() {
            for (i, row) in m.iter().enumerate() {
                let s: f64 = row.iter().sum();
                if s > 1.0 + 1e-10 {
                    c.push(
                        ia.line,
                        ia.column,
                        format!(
                            "expected {}'s adjustments to sum to at most 1, found {s}",
                            actors[i].name
                        ),
                    );
                }
            }
        }
        let identity = m.iter().enumerate().all(|(i, r)| {
            r.iter()
                .enumerate()
                .all(|(j, &x)| x == if i == j { 1.0 } else { 0.0 })
        });
        if !identity {
            acc = Some(m);
        }
    }

    if !c.problems.is_empty() {
        return Err(InputError {
            problems: c.problems,
        });
    }
    Ok(Scenario {
        name,
        description: desc,
        dimensions: dims,
        actors,
        params,
        seed,
        accommodation: acc,
    })
}

fn xml_actor(c: &mut Collector, a: &Element, nd: usize) -> Actor {
    let text = |c: &mut Collector, tag: &str| -> String {
        match a.child(tag) {
            Some(e) => e.text.trim().to_string(),
            None => {
                c.push(
                    a.line,
                    a.column,
                    format!("expected a <{tag}> element in <Actor>, found none"),
                );
                String::new()
            }
        }
    };
    let name = text(c, "name");
    if name.is_empty() || name.chars().count() > MAX_ACTOR_NAME {
        let (l, col) = a
            .child("name")
            .map_or((a.line, a.column), |e| (e.line, e.column));
        c.push(
            l,
            col,
            format!(
                "expected an actor name of 1 to {MAX_ACTOR_NAME} characters, found {}",
                show(&name)
            ),
        );
    }
    let description = text(c, "description");
    let number = |c: &mut Collector, e: &Element, what: &str, lo: f64, hi: f64| -> f64 {
        let t = e.text.trim();
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= lo && v <= hi => v,
            Ok(v) => {
                c.push(
                    e.line,
                    e.column,
                    format!("expected {what} in [{lo}, {hi}] for actor '{name}', found {v}"),
                );
                f64::NAN
            }
            Err(_) => {
                c.push(
                    e.line,
                    e.column,
                    format!(
                        "expected a number for {what} of actor '{name}', found {}",
                        show(t)
                    ),
                );
                f64::NAN
            }
        }
    };
    let capability = match a.child("capability") {
        None => {
            c.push(
                a.line,
                a.column,
                "expected a <capability> element in <Actor>, found none".into(),
            );
            f64::NAN
        }
        Some(e) => {
            let v = number(c, e, "capability", 0.0, 1e8);
            if v == 0.0 {
                c.push(
                    e.line,
                    e.column,
                    format!("expected a positive capability for actor '{name}', found 0"),
                );
            }
            v
        }
    };
    let list = |c: &mut Collector, tag: &str, item: &str, what: &str| -> Vec<f64> {
        let Some(p) = a.child(tag) else {
            c.push(
                a.line,
                a.column,
                format!("expected a <{tag}> element in <Actor>, found none"),
            );
            return Vec::new();
        };
        let v: Vec<f64> = p
            .all(item)
            .map(|e| number(c, e, what, 0.0, 100.0))
            .collect();
        if v.len() != nd {
            c.push(p.line, p.column, format!("expected {nd} <{item}> elements (one per dimension) for actor '{name}', found {}", v.len()));
        }
        v
    };
    let position = list(c, "Position", "dCoord", "position");
    let salience = list(c, "Salience", "dSal", "salience");
    if let Some(s) = a.child("Salience") {
        check_salience_total(&salience, c, s.line, s.column);
    }
    Actor {
        name,
        description,
        capability,
        position,
        salience,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "Demo,\"A demo, with comma\",3,2,\n\
        Actor,Description,Power,P1,S1,P2,S2,\n\
        A, first, 10, 20, 30, 40, 50,\n\
        B, second, 20, 30, 40, 50, 60,\n\
        C, third, 30, 40, 20, 60, 10,\n";

    #[test]
    fn csv_reads() {
        let s = parse_csv(CSV, "demo.csv").unwrap();
        assert_eq!(s.name, "Demo");
        assert_eq!(s.description, "A demo, with comma");
        assert_eq!(s.dimensions, vec!["P1", "P2"]);
        assert_eq!(s.actors[1].position, vec![30.0, 50.0]);
        assert_eq!(s.actors[2].salience, vec![20.0, 10.0]);
    }

    #[test]
    fn csv_errors_are_located_and_all_reported() {
        let bad = CSV
            .replace("B, second, 20, 30, 40,", "B, second, 20, 30, abc,")
            .replace(
                "C, third, 30, 40, 20, 60, 10",
                "C, third, 30, 40, 90, 160, 10",
            );
        let e = parse_csv(&bad, "gen.csv").unwrap_err();
        let msgs: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs[0],
            "gen.csv:4:20: expected a number for salience, found 'abc'"
        );
        assert_eq!(
            msgs[1],
            "gen.csv:5:23: expected position in [0, 100], found 160"
        );
        assert_eq!(msgs.len(), 2, "{msgs:?}");
    }

    #[test]
    fn csv_title_errors() {
        let e = parse_csv("X,Y,many,1\n", "t.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:1:5: expected a whole number of actors, found 'many'"
        );
    }

    const XML: &str = r#"<?xml version="1.0"?>
<Scenario>
  <name>x</name><desc>d</desc><prngSeed>7</prngSeed>
  <ModelParameters>
    <VictoryProbModel>Square</VictoryProbModel><PCEModel>MarkovIncentive</PCEModel>
    <StateTransitions>Deterministic</StateTransitions><VotingRule>Prop</VotingRule>
    <BigRAdjust>OneThird</BigRAdjust><BigRRange>Mid</BigRRange>
    <ThirdPartyCommit>SemiCommit</ThirdPartyCommit><InterVecBrgn>S2P2</InterVecBrgn>
    <BargnModel>InitOnlyInterp</BargnModel>
  </ModelParameters>
  <Dimensions><dName>D1</dName></Dimensions>
  <Actors>
    <Actor><name>A</name><description>a</description><capability>10</capability>
      <Position><dCoord>10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
    <Actor><name>B</name><description>b</description><capability>20</capability>
      <Position><dCoord>60</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
    <Actor><name>C</name><description>c</description><capability>30</capability>
      <Position><dCoord>90</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
  </Actors>
  <IdealAdjustment>
    <iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>A</referencePos><adjust>0.87</adjust></iaPair>
  </IdealAdjustment>
</Scenario>"#;

    #[test]
    fn xml_reads() {
        let s = parse_xml(XML, "x.xml").unwrap();
        assert_eq!(s.params.victory_prob_model, VictoryProbModel::Square);
        assert_eq!(s.params.pce_model, PceModel::MarkovIncentive);
        assert_eq!(s.seed, 7);
        assert_eq!(s.actors[2].position, vec![90.0]);
        assert_eq!(s.accommodation.as_ref().unwrap()[0][0], 0.87);
    }

    #[test]
    fn xml_errors_are_located() {
        let bad = XML
            .replace(
                "<capability>20</capability>",
                "<capability>lots</capability>",
            )
            .replace(">Square<", ">Squared<");
        let e = parse_xml(&bad, "x.xml").unwrap_err();
        let msgs: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs[0],
            "x.xml:5:5: expected one of Linear, Square, Quartic, Octic, Binary for VictoryProbModel, found 'Squared'"
        );
        assert_eq!(
            msgs[1],
            "x.xml:15:54: expected a number for capability of actor 'B', found 'lots'"
        );
    }

    #[test]
    fn a_huge_dimension_count_is_refused_before_anything_is_allocated() {
        // Found by fuzzing: the count was trusted and reserved, aborting on 500 TB.
        let err = parse_csv(
            "s,d,3,2222222222222\nActor,Description,Capability\n",
            "f.csv",
        )
        .expect_err("refused");
        assert!(err.to_string().contains("at most 100 dimensions"), "{err}");
    }
}

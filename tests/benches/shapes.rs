//! The async fns both compile-cost and expand-speed benches use (`check_cost.rs` here,
//! `cli/benches/expand_vs_rustfmt.rs`, which includes this file): one source, so that "such
//! fns" are the same fns in both figures. Four realistic shapes, about 10 lines each: lets,
//! awaits inside expressions, `?`, early returns, loops, `while let`, matches.

use std::fmt::Write as _;

/// Appends async fn number `i` (its shape is `i % 4`) to `s`, after `attr` (an attribute line,
/// or nothing).
pub fn push_async_fn(s: &mut String, i: usize, attr: &str) {
    let _ = match i % 4 {
        0 => write!(
            s,
            "{attr}pub async fn fetch_{i}(client: &Client, id: u64) -> Result<Record, Error> {{
    let url = format!(\"/items/{{}}/{i}\", id);
    let resp = client.get(&url).send().await?;
    if resp.status() != 200 {{
        return Err(Error::Status(resp.status()));
    }}
    let body = resp.text().await?;
    Ok(Record::parse(&body, {i})?)
}}

"
        ),
        1 => write!(
            s,
            "{attr}pub async fn drain_{i}(rx: &mut Receiver<Msg>, limit: usize) -> usize {{
    let mut seen = 0;
    while let Some(msg) = rx.recv().await {{
        match msg {{
            Msg::Data(d) => seen += d.len() + {i},
            Msg::Flush => flush(seen).await,
            Msg::Stop => break,
        }}
    }}
    seen.min(limit)
}}
"
        ),
        2 => write!(
            s,
            "{attr}pub async fn sum_{i}(src: &mut Source) -> io::Result<u64> {{
    let mut total = {i};
    for k in 0..8 {{
        let n = src.read_u32().await? as u64;
        total += n * weight(n, k).await;
    }}
    src.ack(total).await?;
    Ok(total)
}}

"
        ),
        _ => write!(
            s,
            "{attr}pub async fn step_{i}(state: &mut Machine, input: Event) -> Option<Output> {{
    let next = match input {{
        Event::Tick(t) => state.tick(t).await,
        Event::Load(path) => state.load(&path).await.ok()?,
        Event::Quit => return None,
    }};
    let out = state.commit(next, {i}).await;
    Some(out)
}}

"
        ),
    };
}

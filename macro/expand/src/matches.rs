//! `matches!` written out when its input awaits.
//!
//! `matches!(e, pat if guard)` is `match e { pat if guard => true, _ => false }` (so says
//! `core`'s definition). A macro whose input awaits would otherwise run as an island (an
//! `async` block awaited as one state, see `island`), which takes a local awaited there
//! (`matches!(handle.await, Ok(_))`) whole when it starts, on paths where rustc would not
//! have moved it yet. Written out, the `match` is code like any other: its `.await` is a state
//! of the machine, and its scrutinee's temporaries drop where rustc drops them.

use crate::mentions::MacroParts;
use syn::parse::ParseStream;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Macro, Pat, Token, parse_quote};

/// Writes out every `matches!` of `block` whose input awaits or leaves the fn (not inside
/// closures, `async` blocks or items), also inside the arguments of `assert!` and the other
/// macros the transform parses.
pub fn write_out(block: &mut Block) {
    WriteOut.visit_block_mut(block);
}

struct WriteOut;

impl VisitMut for WriteOut {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Macro(m) = e
            && let Some(written) = written_out(&m.mac)
        {
            *e = written;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
    fn visit_macro_mut(&mut self, m: &mut Macro) {
        MacroParts::rewrite_args(m, |e| self.visit_expr_mut(e));
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The `match` a `matches!` call stands for, when its input awaits or leaves.
fn written_out(mac: &Macro) -> Option<Expr> {
    let last = mac.path.segments.last()?;
    if last.ident != "matches" || !crate::island::leaves_or_awaits(mac.tokens.clone()) {
        return None;
    }
    let (scrutinee, pat, guard) = mac
        .parse_body_with(|input: ParseStream| {
            let scrutinee: Expr = input.parse()?;
            input.parse::<Token![,]>()?;
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let guard = match input.parse::<Option<Token![if]>>()? {
                Some(_) => Some(input.parse::<Expr>()?),
                None => None,
            };
            input.parse::<Option<Token![,]>>()?;
            Ok((scrutinee, pat, guard))
        })
        .ok()?;
    let guard = guard.map(|g| quote::quote!(if #g));
    Some(parse_quote! {
        match #scrutinee {
            #pat #guard => true,
            _ => false,
        }
    })
}

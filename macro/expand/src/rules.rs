//! The Reference's rules for temporaries and for the order of evaluation, as one table.
//!
//! rustc's lowering of an `async fn` keeps every temporary exactly as long as the Reference
//! says, also across an `.await`; the normaliser (`normalize.rs`) must bind each temporary it
//! moves out of an expression so that it drops at that same point. Each syntactic position a
//! temporary can be made in has one row below, per edition where the editions differ, with the
//! section of the Reference (or of the edition guide) that gives the rule.
//!
//! The normaliser asks [`temporaries`] and [`evaluation`] where it decides how to bind what an
//! expression makes: a block tail and an operand block (edition), an `if let` scrutinee
//! (edition), a `match` scrutinee, a `let` that extends a temporary, the right side of `&&` /
//! `||`, a call's callee, `=` and `op=`. The positions that are temporary scopes of their own
//! (`Statement`, `Condition`, `Guard`, `ArmBody`) need no decision: the normaliser writes what
//! it hoists out of them into a block of their own (`let cond: bool = { ..; c };`), and rustc
//! applies the rule to that block. Their rows say what that block must preserve.
//!
//! The sections cited:
//! - [Destructors: temporary scopes](https://doc.rust-lang.org/reference/destructors.html#temporary-scopes)
//! - [Destructors: operands](https://doc.rust-lang.org/reference/destructors.html#operands)
//! - [Destructors: temporary lifetime extension](https://doc.rust-lang.org/reference/destructors.html#temporary-lifetime-extension)
//! - [Expressions: evaluation order of operands](https://doc.rust-lang.org/reference/expressions.html#evaluation-order-of-operands)
//! - [Compound assignment expressions](https://doc.rust-lang.org/reference/expressions/operator-expr.html#compound-assignment-expressions)
//! - [Assignment expressions](https://doc.rust-lang.org/reference/expressions/operator-expr.html#assignment-expressions)
//! - [Edition guide: tail expression temporary scope](https://doc.rust-lang.org/edition-guide/rust-2024/temporary-tail-expr-scope.html)
//! - [Edition guide: `if let` temporary scope](https://doc.rust-lang.org/edition-guide/rust-2024/temporary-if-let-scope.html)

use crate::edition::Edition;

/// Where a temporary is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// An expression statement (`f(&make());`) or a `let` initialiser that is not extended.
    Statement,
    /// The operand of `&` in a `let` initialiser, or a place of it (`let r = &make();`,
    /// `let r = &(a, b);`, `let p = Pair { x: &make() };`).
    ExtendedLetOperand,
    /// A block's tail expression (`{ ..; make().len() }`), also the fn body's.
    BlockTail,
    /// A `match` scrutinee (`match make().kind() { .. }`).
    MatchScrutinee,
    /// An `if let` scrutinee (`if let Some(x) = make().opt() { .. } else { .. }`).
    IfLetScrutinee,
    /// An `if` or `while` condition (`if make().ok() { .. }`).
    Condition,
    /// A match guard (`Some(x) if make().ok(x) => ..`).
    Guard,
    /// The body of a match arm (`Some(x) => make().len(),`).
    ArmBody,
    /// The right operand of `&&` / `||`.
    LazyRight,
    /// An operand of a call, method call, operator, tuple, array or struct literal, made
    /// before a later `.await` of the same statement (`f(&make(), x.await)`).
    Operand,
}

/// When a temporary made at a [`Position`] drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropsAt {
    /// At the end of the enclosing temporary scope: the statement, or the condition, guard,
    /// arm or operand that is one (`Statement`, and a scrutinee, which is not a scope itself).
    EndOfEnclosingScope,
    /// At the end of the expression's own scope, which it is: before what follows it runs
    /// (an `if` condition before its branch, a guard before its arm, `b` of `a && b`).
    EndOfItself,
    /// With the `let`'s block, as the local it is bound to (lifetime extension).
    EndOfBlock,
    /// After the block's locals, at the end of the statement that holds the block (edition
    /// 2021 and before: a tail's temporaries outlive the block).
    AfterBlockLocals,
    /// Before the block's locals (edition 2024: a tail is a temporary scope).
    BeforeBlockLocals,
    /// Through the `then` block and the `else` block (edition 2021 and before).
    ThroughElse,
    /// Through the `then` block, before the `else` block runs (edition 2024).
    BeforeElse,
}

/// One row of the table: a position, the editions it holds for, and the rule.
struct Row {
    position: Position,
    /// `None`: every edition.
    edition: Option<Edition>,
    drops: DropsAt,
    /// The Reference's (or the edition guide's) section.
    #[allow(dead_code)]
    source: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        position: Position::Statement,
        edition: None,
        drops: DropsAt::EndOfEnclosingScope,
        source: "destructors.html#temporary-scopes: the entire function, a statement",
    },
    Row {
        position: Position::ExtendedLetOperand,
        edition: None,
        drops: DropsAt::EndOfBlock,
        source: "destructors.html#temporary-lifetime-extension",
    },
    Row {
        position: Position::BlockTail,
        edition: Some(Edition::Upto2021),
        drops: DropsAt::AfterBlockLocals,
        source: "edition-guide rust-2024/temporary-tail-expr-scope.html (before 2024)",
    },
    Row {
        position: Position::BlockTail,
        edition: Some(Edition::From2024),
        drops: DropsAt::BeforeBlockLocals,
        source: "destructors.html#temporary-scopes: the body expression for a block; \
                 edition-guide rust-2024/temporary-tail-expr-scope.html",
    },
    Row {
        position: Position::MatchScrutinee,
        edition: None,
        drops: DropsAt::EndOfEnclosingScope,
        source: "destructors.html#temporary-scopes: a scrutinee is not listed as a scope",
    },
    Row {
        position: Position::IfLetScrutinee,
        edition: Some(Edition::Upto2021),
        drops: DropsAt::ThroughElse,
        source: "edition-guide rust-2024/temporary-if-let-scope.html (before 2024)",
    },
    Row {
        position: Position::IfLetScrutinee,
        edition: Some(Edition::From2024),
        drops: DropsAt::BeforeElse,
        source: "destructors.html#temporary-scopes: the `else` block of an `if let`; \
                 edition-guide rust-2024/temporary-if-let-scope.html",
    },
    Row {
        position: Position::Condition,
        edition: None,
        drops: DropsAt::EndOfItself,
        source: "destructors.html#temporary-scopes: the condition expression of an `if` \
                 or `while`",
    },
    Row {
        position: Position::Guard,
        edition: None,
        drops: DropsAt::EndOfItself,
        source: "destructors.html#temporary-scopes: the guard of a match arm",
    },
    Row {
        position: Position::ArmBody,
        edition: None,
        drops: DropsAt::EndOfItself,
        source: "destructors.html#temporary-scopes: the body expression of a match arm",
    },
    Row {
        position: Position::LazyRight,
        edition: None,
        drops: DropsAt::EndOfItself,
        source: "destructors.html#temporary-scopes: the second operand of a lazy boolean",
    },
    Row {
        position: Position::Operand,
        edition: None,
        drops: DropsAt::EndOfEnclosingScope,
        source: "destructors.html#operands; destructors.html#temporary-scopes",
    },
];

/// When a temporary made at `position` drops, in `edition`.
pub fn temporaries(position: Position, edition: Edition) -> DropsAt {
    ROWS.iter()
        .find(|r| r.position == position && r.edition.is_none_or(|e| e == edition))
        .map(|r| r.drops)
        .expect("the table has a row for every position and edition")
}

/// An expression whose operands the Reference does not evaluate simply left to right, or
/// whose order the normaliser must keep when it hoists an operand before a later `.await`.
/// (Every other list of operands, a method call's receiver and arguments, `a op b`, tuples,
/// arrays, struct literals and index expressions, is evaluated as written.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operands {
    /// A call `f(a, b)`: the callee, then the arguments.
    Call,
    /// `place = value`.
    Assign,
    /// `place op= value` on primitive operands (integers, floats, `bool`). Through an
    /// `OpAssign` impl the place comes first; syntax cannot tell the two apart, and the
    /// normaliser takes the primitive order (see README, "What syntax cannot know").
    PrimitiveCompoundAssign,
}

/// In which order the parts of an expression are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As written: the callee (or the place) first.
    AsWritten,
    /// The value first, then the place.
    ValueThenPlace,
}

/// The order the Reference gives for `operands` ("Expressions": evaluation order of operands,
/// call expressions; "Operator expressions": assignment and compound assignment).
pub fn evaluation(operands: Operands) -> Order {
    match operands {
        Operands::Call => Order::AsWritten,
        Operands::Assign | Operands::PrimitiveCompoundAssign => Order::ValueThenPlace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSITIONS: [Position; 10] = [
        Position::Statement,
        Position::ExtendedLetOperand,
        Position::BlockTail,
        Position::MatchScrutinee,
        Position::IfLetScrutinee,
        Position::Condition,
        Position::Guard,
        Position::ArmBody,
        Position::LazyRight,
        Position::Operand,
    ];

    /// Every position has exactly one rule per edition.
    #[test]
    fn one_row_per_position_and_edition() {
        for p in POSITIONS {
            for e in [Edition::Upto2021, Edition::From2024] {
                let rows = ROWS
                    .iter()
                    .filter(|r| r.position == p && r.edition.is_none_or(|x| x == e))
                    .count();
                assert_eq!(rows, 1, "{p:?} in {e:?}");
            }
        }
    }

    /// The two edition changes of 2024, and nothing else, differ between the editions.
    #[test]
    fn editions_differ_in_tails_and_if_let_only() {
        let differ: Vec<Position> = POSITIONS
            .into_iter()
            .filter(|&p| temporaries(p, Edition::Upto2021) != temporaries(p, Edition::From2024))
            .collect();
        assert_eq!(differ, [Position::BlockTail, Position::IfLetScrutinee]);
    }
}

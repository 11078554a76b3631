use clockwork_macros::state_machine;

async fn tick() {}

// `x` is declared without a value and without a type; a part of it is moved out, and the rest
// lives across the `.await`: the handle of its fixed home names that part (`whole.1`) before
// the assignment that would tell its type.
#[state_machine]
async fn f() -> usize {
    let x;
    x = (String::from("a"), String::from("b"));
    let b = x.1;
    tick().await;
    b.len()
}

fn main() {}

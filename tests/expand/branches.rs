// Branches, a match with guards, and awaits inside expressions.
async fn route(req: Request) -> Response {
    let user = match req.token() {
        Some(t) if t.len() > 8 => lookup(t).await,
        Some(_) => return Response::forbidden(),
        None => guest(),
    };
    let body = if req.wants_json() {
        render_json(&user, fetch_items(user.id).await).await
    } else {
        format!("hello {}", user.name)
    };
    Response::ok(body.len() + audit(&user).await, body)
}

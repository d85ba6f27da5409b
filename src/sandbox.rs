//! Templates are code a repository (and so a pull request) can bring in: they
//! may compute text from the plan, never read the environment, files, the
//! clock or randomness. Every function a template calls is checked against
//! an allow-list when the templates load, and the one such built-in this
//! build of Tera registers (`get_env`) is replaced by one that fails, in case
//! a call ever slips past the check.

use std::collections::HashMap;

use tera::ast::{Expr, ExprVal, FunctionCall, Node};

/// The functions a template may call: pure ones only.
pub const ALLOWED_FUNCTIONS: &[&str] = &["range", "throw"];

/// Names Tera (with any feature set) registers that read the outside world.
const OUTSIDE_WORLD: &[&str] = &["get_env", "now", "get_random"];

/// Replace every outside-world function Tera may have registered by one
/// that refuses to run.
pub fn disable_outside_functions(tera: &mut tera::Tera) {
    for name in OUTSIDE_WORLD {
        let name = name.to_string();
        tera.register_function(&name.clone(), move |_: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
            Err(tera::Error::msg(format!("{name}() is not available to authgen templates")))
        });
    }
}

/// The first call in `ast` to a function not in [`ALLOWED_FUNCTIONS`].
pub fn forbidden_call(ast: &[Node]) -> Option<String> {
    let mut found = None;
    walk_nodes(ast, &mut |call| {
        if found.is_none() && !ALLOWED_FUNCTIONS.contains(&call.name.as_str()) {
            found = Some(call.name.clone());
        }
    });
    found
}

/// The 1-based line of the first `name(` (spaces allowed before the
/// parenthesis) in `text` where `name` stands as a whole word; else the
/// first line naming it at all.
pub fn line_of_call(text: &str, name: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut fallback = None;
    for (at, _) in text.match_indices(name) {
        let before_ok = !text[..at].chars().next_back().is_some_and(is_ident);
        let after = &text[at + name.len()..];
        if !before_ok || after.chars().next().is_some_and(is_ident) {
            continue;
        }
        let line = text[..at].matches('\n').count() + 1;
        if after.trim_start().starts_with('(') {
            return Some(line);
        }
        fallback.get_or_insert(line);
    }
    fallback
}

fn walk_nodes(nodes: &[Node], on_call: &mut dyn FnMut(&FunctionCall)) {
    for node in nodes {
        match node {
            Node::VariableBlock(_, expr) => walk_expr(expr, on_call),
            Node::MacroDefinition(_, def, _) => {
                for expr in def.args.values().flatten() {
                    walk_expr(expr, on_call);
                }
                walk_nodes(&def.body, on_call);
            }
            Node::Set(_, set) => walk_expr(&set.value, on_call),
            Node::FilterSection(_, section, _) => {
                walk_args(&section.filter, on_call);
                walk_nodes(&section.body, on_call);
            }
            Node::Block(_, block, _) => walk_nodes(&block.body, on_call),
            Node::Forloop(_, forloop, _) => {
                walk_expr(&forloop.container, on_call);
                walk_nodes(&forloop.body, on_call);
                if let Some(body) = &forloop.empty_body {
                    walk_nodes(body, on_call);
                }
            }
            Node::If(branches, _) => {
                for (_, cond, body) in &branches.conditions {
                    walk_expr(cond, on_call);
                    walk_nodes(body, on_call);
                }
                if let Some((_, body)) = &branches.otherwise {
                    walk_nodes(body, on_call);
                }
            }
            Node::Super
            | Node::Text(_)
            | Node::Extends(..)
            | Node::Include(..)
            | Node::ImportMacro(..)
            | Node::Raw(..)
            | Node::Break(_)
            | Node::Continue(_)
            | Node::Comment(..) => {}
        }
    }
}

/// A filter's arguments may hold calls; the filter itself is no function.
fn walk_args(call: &FunctionCall, on_call: &mut dyn FnMut(&FunctionCall)) {
    for expr in call.args.values() {
        walk_expr(expr, on_call);
    }
}

fn walk_expr(expr: &Expr, on_call: &mut dyn FnMut(&FunctionCall)) {
    walk_val(&expr.val, on_call);
    for filter in &expr.filters {
        walk_args(filter, on_call);
    }
}

fn walk_val(val: &ExprVal, on_call: &mut dyn FnMut(&FunctionCall)) {
    match val {
        ExprVal::FunctionCall(call) => {
            on_call(call);
            walk_args(call, on_call);
        }
        ExprVal::Math(m) => {
            walk_expr(&m.lhs, on_call);
            walk_expr(&m.rhs, on_call);
        }
        ExprVal::Logic(l) => {
            walk_expr(&l.lhs, on_call);
            walk_expr(&l.rhs, on_call);
        }
        ExprVal::In(i) => {
            walk_expr(&i.lhs, on_call);
            walk_expr(&i.rhs, on_call);
        }
        ExprVal::Test(t) => {
            for arg in &t.args {
                walk_expr(arg, on_call);
            }
        }
        ExprVal::MacroCall(m) => {
            for arg in m.args.values() {
                walk_expr(arg, on_call);
            }
        }
        ExprVal::Array(items) => {
            for item in items {
                walk_expr(item, on_call);
            }
        }
        ExprVal::StringConcat(concat) => {
            for v in &concat.values {
                walk_val(v, on_call);
            }
        }
        ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) | ExprVal::Ident(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(text: &str) -> Option<String> {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t", text).unwrap();
        forbidden_call(&tera.get_template("t").unwrap().ast)
    }

    #[test]
    fn calls_anywhere_are_found() {
        assert_eq!(calls("{{ get_env(name='HOME') }}").as_deref(), Some("get_env"));
        assert_eq!(
            calls("{% if x %}{% for i in range(end=get_env(name='N')) %}{% endfor %}{% endif %}").as_deref(),
            Some("get_env")
        );
        assert_eq!(calls("{% set v = 'a' ~ x | replace(from='a', to=now()) %}").as_deref(), Some("now"));
        assert_eq!(
            calls("{% macro m(a=1) %}{{ a + get_random(start=1, end=2) }}{% endmacro %}").as_deref(),
            Some("get_random")
        );
        assert_eq!(calls("{{ range(end=3) | length }}{% if false %}{{ throw(message='x') }}{% endif %}"), None);
        assert_eq!(calls("get_env() in text {# get_env() #}"), None);
    }

    #[test]
    fn call_lines() {
        assert_eq!(line_of_call("a\n# my_get_env\n{{ get_env (name='X') }}\n", "get_env"), Some(3));
        assert_eq!(line_of_call("a\nb", "get_env"), None);
    }
}

//! Names as typify and Progenitor make them. The server's emitters and the
//! client's samples must agree with the generated client on every name, so
//! the rules live here once.

/// snake_case, as Progenitor writes identifiers.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            out.push('_');
            prev_lower = false;
        }
    }
    out
}

/// Progenitor's name for a method (an operation, a builder parameter):
/// snake case, `_` after keywords.
pub fn builder_method(name: &str) -> String {
    let s = snake(name);
    match s.as_str() {
        "match" | "type" | "ref" | "move" | "self" | "use" | "where" | "mod" | "fn" | "in" | "loop" | "impl" => {
            format!("{s}_")
        }
        _ => s,
    }
}

/// typify's naming of a component: UpperCamelCase.
pub fn type_name(component: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in component.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

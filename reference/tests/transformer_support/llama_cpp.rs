//! llama.cpp's greedy generations for the fixture prompts (written with llama-cpp-python).

use std::path::Path;

use serde_json::Value;

/// One prompt: its token ids (BOS first), llama.cpp's greedy continuation, and the largest
/// logits of its first generated step as `(token id, logit)`.
pub struct Case {
    pub prompt: String,
    pub prompt_tokens: Vec<u32>,
    pub tokens: Vec<u32>,
    pub top_logits: Vec<(u32, f32)>,
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array().unwrap().iter().map(|t| u32::try_from(t.as_u64().unwrap()).unwrap()).collect()
}

/// `(id, logit)` from `[id, logit]` or an object with an id and a logit.
fn pair(v: &Value) -> (u32, f32) {
    let (id, logit) = match v {
        Value::Array(a) => (&a[0], &a[1]),
        Value::Object(o) => {
            let id = ["id", "token", "token_id"].iter().find_map(|k| o.get(*k)).expect("token id");
            (id, o.get("logit").expect("logit"))
        }
        _ => panic!("unexpected top-logit entry {v}"),
    };
    (u32::try_from(id.as_u64().unwrap()).unwrap(), logit.as_f64().unwrap() as f32)
}

/// The cases in the fixture file (an array of cases, or an object holding one).
pub fn cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap();
    let list = match &json {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .values()
            .find_map(|v| v.as_array().filter(|a| a.iter().any(|c| c.get("prompt_tokens").is_some())))
            .cloned()
            .expect("a list of prompts"),
        _ => panic!("unexpected fixture"),
    };
    list.iter()
        .map(|c| {
            let top =
                c.as_object().unwrap().iter().find(|(k, v)| k.contains("logit") && v.is_array()).expect("top logits").1;
            Case {
                prompt: c["prompt"].as_str().unwrap_or("").to_owned(),
                prompt_tokens: ids(&c["prompt_tokens"]),
                tokens: ids(&c["tokens"]),
                top_logits: top.as_array().unwrap().iter().map(pair).collect(),
            }
        })
        .collect()
}

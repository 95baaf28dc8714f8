//! The JSON-RPC 2.0 envelope: requests, responses, error objects and parameters.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a request object, or a body over the size limit.
pub const INVALID_REQUEST: i64 = -32600;
/// Unknown method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Missing or malformed parameters.
pub const INVALID_PARAMS: i64 = -32602;
/// The node failed.
pub const INTERNAL_ERROR: i64 = -32603;
/// The runtime rejects the transaction (message: the runtime's error).
pub const TX_INVALID: i64 = 1000;
/// The mempool refuses the transaction (duplicate, full).
pub const TX_POOL: i64 = 1001;
/// The transaction was accepted but not included in time.
pub const TX_TIMEOUT: i64 = 1002;
/// `tx_submit` with `wait`: the transaction left the mempool without being included (found
/// invalid when a block was built, or its nonce was used by another committed transaction).
pub const TX_DROPPED: i64 = 1003;

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RpcError {
    /// Error code.
    pub code: i64,
    /// Message for people.
    pub message: String,
}

impl RpcError {
    /// An error with this code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// An invalid-params error.
    pub fn params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }

    /// An internal error.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(INTERNAL_ERROR, message.to_string())
    }
}

/// A parsed request.
#[derive(Clone, Debug)]
pub struct Request {
    /// Its id (`None` for a notification, which gets no response).
    pub id: Option<Value>,
    /// The method.
    pub method: String,
    /// Its parameters.
    pub params: Params,
}

/// Checks one request object.
///
/// # Errors
/// An invalid-request error, with the id when one could be read.
pub fn parse_request(value: Value) -> Result<Request, (Value, RpcError)> {
    let Value::Object(mut obj) = value else {
        return Err((
            Value::Null,
            RpcError::new(INVALID_REQUEST, "a request is a JSON object"),
        ));
    };
    let id = obj.remove("id");
    let reply_id = id.clone().unwrap_or(Value::Null);
    if obj.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        return Err((
            reply_id,
            RpcError::new(INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\""),
        ));
    }
    let Some(Value::String(method)) = obj.remove("method") else {
        return Err((
            reply_id,
            RpcError::new(INVALID_REQUEST, "\"method\" must be a string"),
        ));
    };
    let params = match obj.remove("params") {
        None | Some(Value::Null) => Params(Value::Array(Vec::new())),
        Some(p @ (Value::Array(_) | Value::Object(_))) => Params(p),
        Some(_) => {
            return Err((
                reply_id,
                RpcError::new(INVALID_REQUEST, "\"params\" must be an array or an object"),
            ));
        }
    };
    Ok(Request { id, method, params })
}

/// A response document.
pub fn response(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
    }
}

/// Request parameters, by position (array) or by name (object).
#[derive(Clone, Debug)]
pub struct Params(pub Value);

impl Params {
    fn raw(&self, index: usize, name: &str) -> Option<&Value> {
        match &self.0 {
            Value::Array(items) => items.get(index),
            Value::Object(map) => map.get(name),
            _ => None,
        }
        .filter(|v| !v.is_null())
    }

    /// A required parameter.
    ///
    /// # Errors
    /// Invalid params when it is missing or of the wrong type.
    pub fn get<T: DeserializeOwned>(&self, index: usize, name: &str) -> Result<T, RpcError> {
        self.optional(index, name)?
            .ok_or_else(|| RpcError::params(format!("missing parameter {name:?}")))
    }

    /// An optional parameter.
    ///
    /// # Errors
    /// Invalid params when it is present but of the wrong type.
    pub fn optional<T: DeserializeOwned>(
        &self,
        index: usize,
        name: &str,
    ) -> Result<Option<T>, RpcError> {
        self.raw(index, name)
            .map(|v| {
                serde_json::from_value(v.clone())
                    .map_err(|e| RpcError::params(format!("parameter {name:?}: {e}")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let r = parse_request(json!({"jsonrpc":"2.0","id":1,"method":"m","params":[5]}))
            .expect("valid");
        assert_eq!(r.method, "m");
        assert_eq!(r.params.get::<u64>(0, "x"), Ok(5));
        assert_eq!(r.params.optional::<u64>(1, "y"), Ok(None));
        let named = Params(json!({"x": "a"}));
        assert_eq!(named.get::<String>(0, "x"), Ok("a".into()));
        assert_eq!(
            named.get::<u64>(0, "x").map_err(|e| e.code),
            Err(INVALID_PARAMS)
        );
        let (id, e) =
            parse_request(json!({"jsonrpc":"1.0","id":7,"method":"m"})).expect_err("wrong version");
        assert_eq!((id, e.code), (json!(7), INVALID_REQUEST));
        assert!(parse_request(json!([1])).is_err());
        assert!(parse_request(json!({"jsonrpc":"2.0","method":"m","params":3})).is_err());
    }
}

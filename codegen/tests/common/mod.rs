//! A small spec that the generator accepts, exercising each kind of input
//! and output once; tests change one thing in it and look at the result.

#![allow(dead_code)]

use serde_json::{json, Value};

fn error_response() -> Value {
    json!({"description": "failed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

pub fn spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "tiny", "version": "1"},
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sid"}},
            "parameters": {"ID": {"name": "ID", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}},
            "schemas": {
                "Error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
                "Thing": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "ID": {"type": "integer", "readOnly": true},
                        "name": {"type": "string", "nullable": true, "example": "x"}
                    }
                },
                "Envelope": {"type": "object", "properties": {"status": {"type": "string"}, "statusCode": {"type": "integer"}}},
                "Login": {"type": "object", "properties": {"user": {"type": "string"}}}
            }
        },
        "paths": {
            "/things": {
                "get": {
                    "operationId": "thingList",
                    "summary": "List things",
                    "tags": ["things"],
                    "security": [{"session": []}],
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 50}},
                        {"name": "sort", "in": "query", "schema": {"type": "array", "items": {"type": "string"}, "default": ["name"]}},
                        {"name": "X-Trace", "in": "header", "schema": {"type": "boolean"}}
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}},
                            "text/xml": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        }},
                        "400": error_response()
                    }
                },
                "post": {
                    "operationId": "thingCreate",
                    "security": [{"session": []}],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "responses": {
                        "201": {"description": "made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                        "400": error_response(),
                        "503": error_response()
                    }
                }
            },
            "/things/{ID}": {
                "parameters": [{"$ref": "#/components/parameters/ID"}],
                "delete": {
                    "operationId": "thingDelete",
                    "security": [{"session": []}, {}],
                    "responses": {"204": {"description": "gone"}, "404": error_response()}
                },
                "put": {
                    "operationId": "thingTouch",
                    "security": [{"session": []}],
                    "responses": {"204": {"description": "touched"}, "404": error_response()}
                }
            },
            "/login": {
                "post": {
                    "operationId": "login",
                    "security": [],
                    "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Login"}}}},
                    "responses": {
                        "200": {
                            "description": "in",
                            "headers": {"Set-Cookie": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}
                        },
                        "401": error_response()
                    }
                }
            }
        }
    })
}

/// The operation at `path` and `method`, to change.
pub fn op<'a>(spec: &'a mut Value, path: &str, method: &str) -> &'a mut Value {
    &mut spec["paths"][path][method]
}

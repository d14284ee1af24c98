//! The ECS task id, read from the task metadata endpoint v4 (`ECS_CONTAINER_METADATA_URI_V4`): it
//! names the run's artifact prefix, so a run's files and its CloudWatch log stream share an id.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::AwsError;

/// The task id (the last segment of the task ARN) from `<metadata_uri>/task`. The endpoint is plain
/// HTTP on a link-local address inside the task, so a minimal HTTP/1.0 GET is enough.
pub fn task_id_from_metadata(metadata_uri: &str) -> Result<String, AwsError> {
    let url = format!("{}/task", metadata_uri.trim_end_matches('/'));
    let fail = |message: String| AwsError::Metadata {
        url: url.clone(),
        message,
    };
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| fail("not an http:// address".into()))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let address = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let socket = address
        .parse()
        .map_err(|_| fail(format!("'{authority}' is not an IP address and port")))?;
    let mut stream = TcpStream::connect_timeout(&socket, Duration::from_secs(2))
        .map_err(|e| fail(e.to_string()))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| fail(e.to_string()))?;
    // One write: a server that answers after the first read must not see a half request.
    let request = format!("GET /{path} HTTP/1.0\r\nHost: {authority}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| fail(e.to_string()))?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| fail("malformed HTTP response".into()))?;
    if head.split_whitespace().nth(1) != Some("200") {
        return Err(fail(head.lines().next().unwrap_or("").to_string()));
    }
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|e| fail(format!("not JSON: {e}")))?;
    let arn = json["TaskARN"]
        .as_str()
        .ok_or_else(|| fail("no TaskARN in the answer".into()))?;
    Ok(arn.rsplit('/').next().unwrap_or(arn).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn reads_the_task_id_from_a_metadata_server() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).unwrap();
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let body = r#"{"Cluster":"c","TaskARN":"arn:aws:ecs:eu-west-1:123456789012:task/c/0a1b2c3d4e5f"}"#;
            write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{body}"
            )
            .unwrap();
            request
        });
        let id = task_id_from_metadata(&format!("http://127.0.0.1:{port}/v4/abc")).unwrap();
        assert_eq!(id, "0a1b2c3d4e5f");
        assert!(
            server
                .join()
                .unwrap()
                .starts_with("GET /v4/abc/task HTTP/1.0")
        );
    }
}

//! Local AWS for integration tests: [`S3Server`] runs `s3s-fs` (a real S3 server that checks SigV4
//! signatures and payload checksums) and [`MotoServer`] runs moto for Glue, Secrets Manager and STS.
//! Both listen on a free loopback port and stop when dropped or when the test process exits.
//! `scripts/setup-aws-test-tools.sh` installs both under the cache directory.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TestkitError;
use crate::command::{Runner, io};
use crate::postgres::free_port;

/// The access key the local servers accept.
pub const ACCESS_KEY: &str = "AKIARUNNERTEST";
/// Its secret key.
pub const SECRET_KEY: &str = "runner-test-secret-key";
/// The region tests use.
pub const REGION: &str = "eu-west-1";

/// Finds a test tool: `$env_var`, then the setup script's install location, then `PATH`.
pub fn tool(env_var: &str, installed: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env_var) {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("RUNNER_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| Path::new(&d).join("runner")))
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/runner")))?;
    let candidate = cache.join(installed);
    if candidate.is_file() {
        return Some(candidate);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// A child server process, killed on drop and by a watchdog if the test process dies first.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(
        program: &Path,
        args: &[String],
        port: u16,
        what: &str,
    ) -> Result<Server, TestkitError> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io(format!("starting {what} ({})", program.display())))?;
        Runner { run_as: None }.spawn_watchdog(&format!("kill {}", child.id()), None)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(TestkitError::Command {
                    command: what.to_string(),
                    message: format!("exited at start: {status}"),
                });
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err(TestkitError::Command {
                    command: what.to_string(),
                    message: "did not listen within 30 s".into(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Server { child, port })
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The environment a client needs to reach a local AWS server with the test keys.
fn client_env(endpoint_var: &str, endpoint: String) -> Vec<(String, String)> {
    vec![
        (endpoint_var.to_string(), endpoint),
        ("AWS_ACCESS_KEY_ID".into(), ACCESS_KEY.into()),
        ("AWS_SECRET_ACCESS_KEY".into(), SECRET_KEY.into()),
        ("AWS_REGION".into(), REGION.into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        // No ~/.aws files of the machine may leak into a test.
        ("AWS_CONFIG_FILE".into(), "/nonexistent-aws-config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            "/nonexistent-aws-credentials".into(),
        ),
    ]
}

/// A running `s3s-fs`, serving the buckets that are directories of a temp dir.
pub struct S3Server {
    server: Server,
    root: tempfile::TempDir,
}

impl S3Server {
    /// Starts s3s-fs, or returns `None` when it is not installed.
    pub fn start() -> Result<Option<S3Server>, TestkitError> {
        let Some(program) = tool("RUNNER_S3S_FS", "tools/bin/s3s-fs", "s3s-fs") else {
            return Ok(None);
        };
        let root = tempfile::Builder::new()
            .prefix("runner-s3-")
            .tempdir()
            .map_err(io("creating the S3 root"))?;
        let port = free_port()?;
        let args: Vec<String> = [
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            ACCESS_KEY,
            "--secret-key",
            SECRET_KEY,
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once(root.path().display().to_string()))
        .collect();
        let server = Server::start(&program, &args, port, "s3s-fs")?;
        Ok(Some(S3Server { server, root }))
    }

    /// Creates a bucket.
    pub fn create_bucket(&self, name: &str) -> Result<(), TestkitError> {
        std::fs::create_dir_all(self.root.path().join(name)).map_err(io("creating a bucket"))
    }

    /// The object's bytes as stored (`None` when absent), read from the server's directory.
    pub fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.path().join(bucket).join(key)).ok()
    }

    /// Every key in a bucket, sorted.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        let base = self.root.path().join(bucket);
        let mut keys = Vec::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(&base) {
                    let key = rel.display().to_string();
                    // s3s-fs keeps its own metadata beside the objects.
                    if !key.starts_with('.') && !key.contains("/.") {
                        keys.push(key);
                    }
                }
            }
        }
        keys.sort();
        keys
    }

    /// Puts an object directly into the server's directory, as if someone replaced it behind S3's
    /// back: s3s-fs' stored checksums of an older object under that key are dropped.
    pub fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), TestkitError> {
        let internal = format!(
            ".bucket-{}.object-{}.internal.json",
            base64_url(bucket.as_bytes()),
            base64_url(key.as_bytes())
        );
        let _ = std::fs::remove_file(self.root.path().join(internal));
        let path = self.root.path().join(bucket).join(key);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io("creating an object's folder"))?;
        }
        std::fs::write(path, body).map_err(io("writing an object"))
    }

    /// Environment for a client: endpoint, keys, region.
    pub fn env(&self) -> Vec<(String, String)> {
        client_env("AWS_ENDPOINT_URL_S3", self.server.endpoint())
    }
}

/// URL-safe base64 without padding, as s3s-fs names its metadata files.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A running moto server (Glue, Secrets Manager, STS, ECS).
pub struct MotoServer {
    server: Server,
}

impl MotoServer {
    /// Starts moto_server, or returns `None` when it is not installed.
    pub fn start() -> Result<Option<MotoServer>, TestkitError> {
        let Some(program) = tool(
            "RUNNER_MOTO_SERVER",
            "venv-aws/bin/moto_server",
            "moto_server",
        ) else {
            return Ok(None);
        };
        let port = free_port()?;
        let args = ["-H", "127.0.0.1", "-p", &port.to_string()].map(String::from);
        let server = Server::start(&program, &args, port, "moto_server")?;
        Ok(Some(MotoServer { server }))
    }

    /// The endpoint, e.g. `http://127.0.0.1:5000`.
    pub fn endpoint(&self) -> String {
        self.server.endpoint()
    }

    /// Environment for a client of every moto service (`AWS_ENDPOINT_URL`).
    pub fn env(&self) -> Vec<(String, String)> {
        client_env("AWS_ENDPOINT_URL", self.endpoint())
    }

    /// Calls a JSON-protocol API (`target` like `AWSGlue.CreateConnection` or
    /// `secretsmanager.CreateSecret`); moto does not check signatures, so a plain POST will do.
    pub fn call(&self, service: &str, target: &str, body: &str) -> Result<String, TestkitError> {
        let failed = |message: String| TestkitError::Command {
            command: format!("moto {target}"),
            message,
        };
        let mut stream = TcpStream::connect(("127.0.0.1", self.server.port))
            .map_err(io("connecting to moto"))?;
        let request = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\nAuthorization: AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n{body}",
            port = self.server.port,
            len = body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(io("calling moto"))?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .map_err(io("reading moto's answer"))?;
        let (head, answer) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        if !head
            .split_whitespace()
            .nth(1)
            .is_some_and(|c| c.starts_with('2'))
        {
            return Err(failed(format!("{head}\n{answer}")));
        }
        Ok(answer.to_string())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_like_s3s_fs() {
        assert_eq!(
            super::base64_url(b"dbt/shop/4.0.0/shop-4.0.0.tar.gz"),
            "ZGJ0L3Nob3AvNC4wLjAvc2hvcC00LjAuMC50YXIuZ3o"
        );
        assert_eq!(super::base64_url(b"ab"), "YWI");
    }
}

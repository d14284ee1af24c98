//! A throwaway certificate authority and a server certificate for `localhost` signed by it, made
//! with the `openssl` command line and owned by the user the server runs as.

use std::fs;
use std::path::Path;

use crate::TestkitError;
use crate::command::{Runner, io};

/// Writes `ca.crt`, `ca.key`, `server.crt` and `server.key` (mode 600) into `dir`.
pub(crate) fn make(runner: &Runner, dir: &Path) -> Result<(), TestkitError> {
    fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(io("writing server.ext"))?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let openssl = Path::new("openssl");
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "3",
        "-subj",
        "/CN=runner test CA",
    ]);
    ca.extend([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    runner.run_in(dir, openssl, &ca)?;
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    runner.run_in(dir, openssl, &csr)?;
    runner.run_in(
        dir,
        openssl,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "3",
            "-extfile",
            "server.ext",
        ],
    )?;
    runner.run_in(dir, Path::new("chmod"), &["600", "server.key"])?;
    Ok(())
}

//! `hostadmin-cli`: hostadmin's API from the shell, one subcommand per
//! operation of `spec/openapi.yaml` (`server-list --limit 10`,
//! `manager-create --email-address ...`). The subcommands, their flags and
//! the calls they make are generated at build time by Progenitor's CLI
//! generator over the `hostadmin-client` crate (see `build.rs`), so a new
//! operation in the spec is a new subcommand with no code here. What is
//! written by hand is what the spec cannot say: where the service is, how to
//! log in to each surface (`auth.rs`), and what goes to stdout and stderr
//! (`output.rs`).

mod auth;
mod output;

#[allow(unused_variables, unused_mut, clippy::all, clippy::pedantic, dead_code, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/cli.rs"));
}

use std::io::BufRead as _;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches};

use crate::auth::Credentials;
use crate::generated::{Cli, CliCommand};
use crate::output::{Output, Reported};

const AFTER_HELP: &str = "\
Credentials come from the environment (or stdin), never from the command line:
  HOSTADMIN_URL       the service, e.g. http://127.0.0.1:8080 (or --url)
  HOSTADMIN_TOKEN     an API token (hostadmin token create), sent as X-Api-Token
                      to the managers surface /api (or --token-stdin)
  HOSTADMIN_USER      an account, for a session login on /api/v1 (grommunio)
  HOSTADMIN_PASSWORD  and /api/2.0 (ONLYOFFICE) (or --user, --password-stdin)
Each command uses the credentials its operation needs. Answers are JSON on
stdout; a failure prints its status and error body on stderr and exits 1
(2 for a wrong command line).";

/// `server_list` -> `server-list`.
fn subcommand_name(command: CliCommand) -> String {
    command.operation_id().replace('_', "-")
}

fn command() -> clap::Command {
    let mut root = clap::Command::new("hostadmin-cli")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Calls hostadmin's HTTP API: one subcommand per operation of its OpenAPI document")
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        // Not global: some operations have a `--user` or `--password` of
        // their own (the login forms), so these go before the subcommand.
        .arg(Arg::new("url").long("url").env("HOSTADMIN_URL").value_name("URL").help("The service's base URL"))
        .arg(Arg::new("user").long("user").env("HOSTADMIN_USER").value_name("NAME").help("The account to log in as"))
        .arg(
            Arg::new("password-stdin")
                .long("password-stdin")
                .action(ArgAction::SetTrue)
                .help("Read the account's password from the first line of stdin (else HOSTADMIN_PASSWORD)"),
        )
        .arg(
            Arg::new("token-stdin")
                .long("token-stdin")
                .action(ArgAction::SetTrue)
                .conflicts_with("password-stdin")
                .help("Read the API token from the first line of stdin (else HOSTADMIN_TOKEN)"),
        );
    for op in CliCommand::iter() {
        let sub = Cli::<&Output>::get_command(op).name(subcommand_name(op));
        // Progenitor puts summary and description in one `about`: keep the
        // summary for the list of commands and `-h`, all of it for `--help`.
        let full = sub.get_about().map(|about| about.to_string()).unwrap_or_default();
        let summary = full.lines().next().unwrap_or_default().to_string();
        root = root.subcommand(sub.about(summary).long_about(full));
    }
    root
}

fn first_line_of_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn nonempty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn credentials(matches: &ArgMatches) -> anyhow::Result<Credentials> {
    let Some(url) = matches.get_one::<String>("url").filter(|u| !u.is_empty()) else {
        anyhow::bail!("no service URL: set HOSTADMIN_URL (or pass --url), e.g. HOSTADMIN_URL=http://127.0.0.1:8080");
    };
    let password = if matches.get_flag("password-stdin") {
        Some(first_line_of_stdin()?)
    } else {
        nonempty_env("HOSTADMIN_PASSWORD")
    };
    let token =
        if matches.get_flag("token-stdin") { Some(first_line_of_stdin()?) } else { nonempty_env("HOSTADMIN_TOKEN") };
    Ok(Credentials {
        url: url.clone(),
        token,
        user: matches.get_one::<String>("user").filter(|u| !u.is_empty()).cloned(),
        password,
    })
}

async fn run(matches: &ArgMatches) -> anyhow::Result<()> {
    let (name, sub) = matches.subcommand().expect("clap requires a subcommand");
    let op = CliCommand::iter().find(|op| subcommand_name(*op) == name).expect("every subcommand is an operation");
    let credentials = credentials(matches)?;
    let client = auth::client_for(op.operation_id(), &credentials)?;
    let output = Output { command: name.to_string(), ..Output::default() };
    let result = Cli::new(client, &output).execute(op, sub).await;
    match result {
        Err(_) if output.reported.get() => Err(Reported.into()),
        other => other,
    }
}

fn main() -> ExitCode {
    let matches = command().get_matches();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("hostadmin-cli: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<Reported>() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("hostadmin-cli: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        // clap's own checks: no two flags of a command with one name, every
        // `required_unless_present` names a flag that exists, ...
        super::command().debug_assert();
    }
}

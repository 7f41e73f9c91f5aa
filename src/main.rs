//! The `gatehouse` command line: `serve` (default), `migrate`, `user create`, `client create`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use gatehouse::cli::{self, NewClient, NewUser, UsageError};
use gatehouse::{Application, Config};

#[derive(Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Self-hosted hosted login and OpenID Connect provider"
)]
struct Cli {
    /// TOML configuration file (also GATEHOUSE_CONFIG)
    #[arg(long, global = true, env = "GATEHOUSE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default)
    Serve,
    /// Apply pending database migrations and exit
    Migrate,
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Manage client applications
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage token-signing keys
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new signing key (used from the next start); keeps the previous one published
    Rotate,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user
    Create(UserCreate),
    /// Clear the lockouts of all the user's authenticators, code channels and password sign-in
    Unlock {
        #[arg(long)]
        email: String,
    },
}

#[derive(Args)]
struct UserCreate {
    #[arg(long)]
    email: String,
    /// The password (visible in the process list: prefer --password-stdin)
    #[arg(long, conflicts_with = "password_stdin")]
    password: Option<String>,
    /// Read the password from the first line of standard input
    #[arg(long)]
    password_stdin: bool,
    #[arg(long)]
    name: Option<String>,
    /// Make the user an administrator
    #[arg(long)]
    admin: bool,
    /// A phone number for SMS codes in international form (+4915112345678)
    #[arg(long)]
    phone: Option<String>,
    /// Print {"sub", "email"} as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register a client application
    Create(ClientCreate),
}

#[derive(Args)]
struct ClientCreate {
    #[arg(long)]
    name: String,
    /// A redirect URI (repeat for several); matched exactly
    #[arg(long = "redirect-uri")]
    redirect_uri: Vec<String>,
    /// Where end_session may send the user afterwards (repeatable)
    #[arg(long = "post-logout-redirect-uri")]
    post_logout_redirect_uri: Vec<String>,
    /// The origin of the application's own login UI (repeatable), e.g.
    /// https://login.shop.example: its password posts need no CSRF token of our form
    #[arg(long = "login-ui-origin")]
    login_ui_origin: Vec<String>,
    /// A public client (no secret; PKCE required)
    #[arg(long)]
    public: bool,
    /// authorization_code, refresh_token or client_credentials (repeatable)
    #[arg(long = "grant-type")]
    grant_type: Vec<String>,
    /// Allow the implicit flow (response_type token / id_token token)
    #[arg(long)]
    allow_implicit: bool,
    /// Second-factor policy: off, optional or always
    #[arg(long, default_value = "optional")]
    mfa: String,
    /// May call the management API with client_credentials
    #[arg(long)]
    management: bool,
    /// May ask users to approve transactions (POST /approvals, authorization_details)
    #[arg(long)]
    approvals: bool,
    /// Print {"client_id", "client_secret"} as JSON
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print(); // --help, --version
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.to_string();
            let line = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            eprintln!("gatehouse: {}", line.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("gatehouse: {e}");
            return ExitCode::from(2);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve);
    // One-shot commands print their result; only warnings and errors go to the log.
    init_logging(&config, matches!(command, Command::Serve));
    let result = match command {
        Command::Serve => serve(config),
        Command::Migrate => {
            gatehouse::app::open_store(&config).map(|_| println!("database is up to date"))
        }
        Command::User(UserCommand::Create(a)) => {
            gatehouse::app::open_store(&config).and_then(|store| {
                let args = NewUser {
                    email: a.email,
                    password: a.password,
                    password_stdin: a.password_stdin,
                    name: a.name,
                    admin: a.admin,
                    phone: a.phone,
                    json: a.json,
                };
                cli::create_user(&config, &store, args).map(|out| println!("{out}"))
            })
        }
        Command::User(UserCommand::Unlock { email }) => gatehouse::app::open_store(&config)
            .and_then(|store| cli::unlock_user(&store, &email).map(|out| println!("{out}"))),
        Command::Keys(KeysCommand::Rotate) => gatehouse::app::open_store(&config).and_then(|store| {
            let kid = gatehouse::app::rotate_signing_key(&config, &store, gatehouse::Clock::system().now())?;
            println!("new signing key {kid}; restart every instance to sign with it (the previous key stays in the JWKS)");
            Ok(())
        }),
        Command::Client(ClientCommand::Create(a)) => {
            gatehouse::app::open_store(&config).and_then(|store| {
                let args = NewClient {
                    name: a.name,
                    redirect_uris: a.redirect_uri,
                    post_logout_redirect_uris: a.post_logout_redirect_uri,
                    login_ui_origins: a.login_ui_origin,
                    public: a.public,
                    grant_types: a.grant_type,
                    allow_implicit: a.allow_implicit,
                    mfa: a.mfa,
                    management: a.management,
                    approvals: a.approvals,
                    json: a.json,
                };
                cli::create_client(&store, args).map(|out| println!("{out}"))
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<UsageError>() => {
            eprintln!("gatehouse: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("gatehouse: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = Application::build(config).await?;
        tracing::info!(url = %app.issuer(), listen = %app.addr(), "Gatehouse is listening on {}", app.issuer());
        let store = app.state().store.clone();
        let admins = store.run(gatehouse::store::users::count_admins).await?;
        if admins == 0 {
            tracing::warn!(
                "no administrator exists yet; create one with: gatehouse user create --email you@example.com --password-stdin --admin"
            );
        }
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn init_logging(config: &Config, serving: bool) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::fmt::format::FmtSpan;
    let wanted = if serving { config.log.as_str() } else { "warn" };
    let filter = EnvFilter::try_new(wanted).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init()
    } else {
        builder.init()
    }
}

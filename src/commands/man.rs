//! `authgen man`: the man page in roff, generated from the clap definitions.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Error, Result};
use crate::term::write_stdout;

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write authgen.1 and one authgen-COMMAND.1 per command here instead of
    /// printing authgen.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Print the man page, or write one page per command into `--dir`.
pub fn exec(args: &ManArgs, cmd: clap::Command) -> Result<i32> {
    let Some(dir) = &args.dir else {
        write_stdout(&render(cmd.clone(), Path::new("<stdout>"))?)?;
        return Ok(0);
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut pages = vec![("authgen.1".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        // `authgen-generate(1)`, the way git names its pages.
        let name = format!("authgen-{}", sub.get_name());
        let page = sub.clone().display_name(name.clone()).bin_name(format!("authgen {}", sub.get_name()));
        pages.push((format!("{name}.1"), page));
    }
    for (file, page) in pages {
        let path = dir.join(&file);
        let roff = render(page, &path)?;
        std::fs::write(&path, roff).map_err(|e| Error::io(&path, e))?;
        println!("{}", path.display());
    }
    Ok(0)
}

fn render(cmd: clap::Command, path: &Path) -> Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page).map_err(|e| Error::io(path, e))?;
    Ok(page)
}

fn main() {
    std::process::exit(authgen::cli::main());
}

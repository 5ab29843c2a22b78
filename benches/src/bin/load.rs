//! `insights-load`: HTTP load driver (being written).

fn main() {}

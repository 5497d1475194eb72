//! Every function shape `#[timed]` must keep compiling, under `#![deny(warnings)]`.
#![deny(warnings)]

use std::error::Error;
use std::fmt::Display;
use std::future::Future;

use metrics_runtime::timed;

#[timed]
fn free(x: u32) -> u32 {
    x + 1
}

#[timed]
async fn free_async(x: u32) -> u32 {
    x + 1
}

/// Doc comments and `#[must_use]` are kept.
#[must_use]
#[timed]
fn kept_attributes() -> u8 {
    1
}

#[timed]
fn early_return_and_question_mark(s: &str) -> Result<u32, std::num::ParseIntError> {
    if s.is_empty() {
        return Ok(0);
    }
    let n: u32 = s.parse()?;
    Ok(n)
}

#[timed]
async fn async_question_mark(s: &str) -> Result<u32, Box<dyn Error + Send + Sync>> {
    let n: u32 = s.parse()?;
    if n > 10 {
        return Err("too big".into());
    }
    Ok(n)
}

#[timed]
fn boxed_error() -> Result<(), Box<dyn Error>> {
    Err("nope".into())
}

#[timed]
fn generic<'a, T, U>(items: &'a [T], extra: U) -> Option<&'a T>
where
    T: PartialEq<U> + 'a,
{
    items.iter().find(|i| **i == extra)
}

#[timed]
fn returns_impl_trait(n: u32) -> impl Display {
    n * 2
}

#[timed]
fn returns_result_impl_trait(n: u32) -> Result<impl Display, String> {
    if n == 0 { Err("zero".to_owned()) } else { Ok(n) }
}

#[timed]
fn returns_impl_future(n: u32) -> impl Future<Output = u32> {
    async move { n + 1 }
}

#[timed]
fn elided_lifetime(s: &str) -> &str {
    s.trim()
}

#[derive(Default)]
struct Service {
    calls: u32,
}

impl Service {
    #[timed]
    fn by_ref(&self) -> u32 {
        self.calls
    }

    #[timed]
    fn by_mut(&mut self) -> u32 {
        self.calls += 1;
        self.calls
    }

    #[timed]
    fn by_value(self) -> Self {
        Self { calls: self.calls + 1 }
    }

    #[timed]
    fn associated() -> Self {
        Self::default()
    }

    #[timed]
    async fn self_in_async(&self) -> Self {
        Self { calls: self.calls }
    }

    #[timed]
    async fn mut_in_async(&mut self) -> u32 {
        self.calls += 1;
        self.calls
    }
}

trait Store {
    fn get(&self, key: u32) -> Option<u32>;

    #[timed]
    fn get_or_zero(&self, key: u32) -> u32 {
        self.get(key).unwrap_or(0)
    }
}

#[timed]
impl Store for Service {
    fn get(&self, key: u32) -> Option<u32> {
        (key < self.calls).then_some(key)
    }
}

#[async_trait::async_trait]
trait AsyncStore {
    async fn load(&self, key: u32) -> Result<u32, String>;
}

// `#[async_trait]` outside, `#[timed]` on the method.
#[async_trait::async_trait]
impl AsyncStore for Service {
    #[timed]
    async fn load(&self, key: u32) -> Result<u32, String> {
        if key == 0 { Err("zero".to_owned()) } else { Ok(key + self.calls) }
    }
}

struct Other;

// `#[timed]` outside `#[async_trait]`.
#[timed]
#[async_trait::async_trait]
impl AsyncStore for Other {
    async fn load(&self, key: u32) -> Result<u32, String> {
        Ok(key)
    }
}

struct Third;

// `#[async_trait]` outside `#[timed]`, both on the impl.
#[async_trait::async_trait]
#[timed]
impl AsyncStore for Third {
    async fn load(&self, key: u32) -> Result<u32, String> {
        Ok(key)
    }
}

fn main() {
    let _ = free(1);
    let _ = kept_attributes();
    let _ = early_return_and_question_mark("4");
    let _ = boxed_error();
    let _ = generic(&[1u32, 2], 2u32);
    let _ = returns_impl_trait(2).to_string();
    let _ = returns_result_impl_trait(2).map(|d| d.to_string());
    let _ = elided_lifetime(" x ");
    let mut s = Service::associated();
    let _ = s.by_ref();
    let _ = s.by_mut();
    let _ = s.get_or_zero(0);
    let s = s.by_value();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let _ = free_async(1).await;
        let _ = async_question_mark("3").await;
        let _ = returns_impl_future(1).await;
        let mut t = s.self_in_async().await;
        let _ = t.mut_in_async().await;
        let _ = t.load(1).await;
        let _ = Other.load(1).await;
        let _ = Third.load(1).await;
    });
}

#[timed(error_kind)]
fn io_result() -> std::io::Result<()> {
    Ok(())
}

#[timed(error_kind)]
async fn async_error_kind() -> Result<(), Box<dyn Error + Send + Sync>> {
    Ok(())
}

#[allow(dead_code)]
fn use_error_kinds() {
    let _ = io_result();
    let _ = async_error_kind();
}

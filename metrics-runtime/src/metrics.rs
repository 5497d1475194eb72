//! The trait `#[derive(Metrics)]` implements.

use std::sync::Arc;

use crate::collect::CollectFamily;
use crate::descriptor::FamilyDescriptor;
use crate::registry::{Registry, RegistryError};

/// A struct of metric families, usually written with `#[derive(Metrics)]`.
///
/// ```
/// use metrics_runtime::{Counter, Gauge, Metrics, Registry};
///
/// #[derive(Metrics)]
/// #[metrics(namespace = "store")]
/// struct Shop {
///     /// Orders placed.
///     orders: Counter,
///     /// Items in carts right now.
///     cart_items: Gauge,
/// }
///
/// let registry = Registry::new();
/// let shop = Shop::register(&registry)?;
/// shop.orders.inc();
/// shop.cart_items.set(3);
/// assert!(registry.encode_to_string(metrics_runtime::Format::Text).contains("store_orders_total 1"));
/// # Ok::<(), metrics_runtime::RegistryError>(())
/// ```
pub trait Metrics: Send + Sync + Sized + 'static {
    /// Creates every family at zero, registered nowhere.
    fn new_unregistered() -> Self;

    /// Visits every family with its descriptor, in declaration order.
    fn for_each_family(&self, visit: &mut dyn FnMut(&'static FamilyDescriptor, &dyn CollectFamily));

    /// Creates the families and registers them into `registry`.
    ///
    /// Fails if a family's name is already registered there, or is declared twice in
    /// this binary; the error names both places.
    fn register(registry: &Registry) -> Result<Arc<Self>, RegistryError> {
        registry.register(Self::new_unregistered())
    }
}

//! [`Stack`]: the `openssl` crate's list type (`STACK_OF(T)`), a thin vector.

use crate::ssl::ErrorStack;

/// An ordered list, as the `openssl` crate's `Stack<T>` (what `set_client_ca_list` takes
/// and `client_ca_list` returns). Derefs to a slice.
///
/// ```
/// use oxssl::stack::Stack;
/// let mut s = Stack::new().unwrap();
/// s.push(1).unwrap();
/// assert_eq!(s.len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stack<T>(Vec<T>);

/// The `openssl` crate's borrowed stack type: here the same as [`Stack`].
pub type StackRef<T> = Stack<T>;

impl<T> Stack<T> {
    /// An empty stack (`sk_new_null`).
    pub fn new() -> Result<Stack<T>, ErrorStack> {
        Ok(Stack(Vec::new()))
    }

    /// Appends `value` (`sk_push`).
    pub fn push(&mut self, value: T) -> Result<(), ErrorStack> {
        self.0.push(value);
        Ok(())
    }

    /// Removes the last value (`sk_pop`).
    pub fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }

    /// The values as a vector.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> From<Vec<T>> for Stack<T> {
    fn from(v: Vec<T>) -> Self {
        Stack(v)
    }
}

impl<T> std::ops::Deref for Stack<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> IntoIterator for Stack<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Stack<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

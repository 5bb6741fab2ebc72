//! Data-parallel minibatches across processes: every process (a *rank*) simulates and
//! differentiates its share of each minibatch, and the shares are combined in a fixed order
//! that does not depend on how many ranks there are, so every rank applies the same
//! optimiser step and the weights are bit-identical to a single-process run.
//!
//! # The protocol of one minibatch
//! 1. The minibatch is cut into chunks of [`REDUCTION_CHUNK`](crate::REDUCTION_CHUNK)
//!    samples, as on one process; rank `r` of `n` takes the contiguous block of chunks
//!    `[r c / n, (r + 1) c / n)` and computes each chunk's sums (threads inside a rank, as
//!    always).
//! 2. Every rank reports the index of its first failing chunk (or none) to a minimum over
//!    all ranks; if some chunk failed, the rank that holds the first failure broadcasts its
//!    message and every rank returns an error ([`TrainError::Distributed`] on the others).
//!    Nobody waits for a rank that has given up.
//! 3. The running sums pass along the ranks in order: rank 0 adds its chunks to zero, sends
//!    the running sums to rank 1, which adds its chunks in order, and so on; the last rank
//!    broadcasts the result. Every parameter is thus summed chunk by chunk in chunk order,
//!    exactly as one process sums it.
//!
//! Bytes per minibatch: `8 (P + 5)` per hop for `P` parameters, `n - 1` hops, plus the
//! broadcast of the same message (`docs/distributed.md`).
//!
//! Implementations of [`Collective`]: [`SingleProcess`] (the default: no communication),
//! [`ThreadGroup`] (ranks as threads of one process, for tests and for trying a distributed
//! set-up without MPI) and, with the cargo feature `mpi`, `MpiCollective` (MPI through the
//! `mpi` crate; `docs/distributed.md`).

use std::fmt;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::TrainError;

/// The communication a data-parallel run needs. Every method is collective or
/// point-to-point in the MPI sense: all ranks call the collective ones in the same order.
pub trait Collective: Send + Sync + fmt::Debug {
    /// This process's rank, `0..size`.
    fn rank(&self) -> usize;
    /// Number of ranks.
    fn size(&self) -> usize;
    /// Sends `data` to rank `to`.
    ///
    /// # Errors
    /// [`TrainError::Distributed`] if the transport fails.
    fn send(&self, to: usize, data: &[f64]) -> Result<(), TrainError>;
    /// Receives exactly `data.len()` values from rank `from`.
    ///
    /// # Errors
    /// [`TrainError::Distributed`] if the transport fails or the message has another length.
    fn receive(&self, from: usize, data: &mut [f64]) -> Result<(), TrainError>;
    /// Overwrites `data` on every rank with `root`'s (same length everywhere).
    ///
    /// # Errors
    /// [`TrainError::Distributed`] if the transport fails.
    fn broadcast(&self, root: usize, data: &mut [f64]) -> Result<(), TrainError>;
    /// The minimum of `value` over all ranks, on every rank.
    ///
    /// # Errors
    /// [`TrainError::Distributed`] if the transport fails.
    fn min_all(&self, value: u64) -> Result<u64, TrainError>;
    /// Overwrites `bytes` on every rank with `root`'s (any length).
    ///
    /// # Errors
    /// [`TrainError::Distributed`] if the transport fails.
    fn broadcast_bytes(&self, root: usize, bytes: &mut Vec<u8>) -> Result<(), TrainError>;
}

/// One process, no communication (the default of a trainer).
#[derive(Clone, Copy, Debug, Default)]
pub struct SingleProcess;

impl Collective for SingleProcess {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn send(&self, to: usize, _data: &[f64]) -> Result<(), TrainError> {
        Err(transport(format!(
            "a single process has no rank {to} to send to"
        )))
    }
    fn receive(&self, from: usize, _data: &mut [f64]) -> Result<(), TrainError> {
        Err(transport(format!(
            "a single process has no rank {from} to receive from"
        )))
    }
    fn broadcast(&self, _root: usize, _data: &mut [f64]) -> Result<(), TrainError> {
        Ok(())
    }
    fn min_all(&self, value: u64) -> Result<u64, TrainError> {
        Ok(value)
    }
    fn broadcast_bytes(&self, _root: usize, _bytes: &mut Vec<u8>) -> Result<(), TrainError> {
        Ok(())
    }
}

/// A transport failure on this rank.
pub(crate) fn transport(message: String) -> TrainError {
    TrainError::Distributed {
        rank: None,
        message,
    }
}

/// Copies the message `values` received from rank `from` into `data`, which it must fill
/// exactly.
pub(crate) fn fill_from(from: usize, values: &[f64], data: &mut [f64]) -> Result<(), TrainError> {
    if values.len() != data.len() {
        return Err(transport(format!(
            "rank {from} sent {} values, {} expected",
            values.len(),
            data.len()
        )));
    }
    data.copy_from_slice(values);
    Ok(())
}

/// A message between two ranks of a [`ThreadGroup`].
#[derive(Debug)]
enum Message {
    Values(Vec<f64>),
    Bytes(Vec<u8>),
}

/// Ranks as threads of one process, connected by channels: [`ThreadGroup::new`] returns one
/// endpoint per rank; move each into its own thread. A rank whose thread ends (an error, a
/// panic) drops its channels, and a peer waiting for it gets an error instead of hanging.
pub struct ThreadGroup {
    rank: usize,
    /// `to[r]`: the channel to rank `r`.
    to: Vec<Sender<Message>>,
    /// `from[r]`: the channel from rank `r`.
    from: Vec<Mutex<Receiver<Message>>>,
}

impl fmt::Debug for ThreadGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadGroup")
            .field("rank", &self.rank)
            .field("size", &self.to.len())
            .finish()
    }
}

impl ThreadGroup {
    /// The endpoints of a group of `size` ranks (rank `r` at index `r`).
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] for `size = 0`.
    pub fn new(size: usize) -> Result<Vec<Self>, TrainError> {
        if size == 0 {
            return Err(TrainError::InvalidConfig {
                name: "ranks",
                value: 0.0,
                requirement: ">= 1",
            });
        }
        // channels[from][to]
        let mut senders: Vec<Vec<Option<Sender<Message>>>> = Vec::with_capacity(size);
        let mut receivers: Vec<Vec<Option<Receiver<Message>>>> = (0..size)
            .map(|_| (0..size).map(|_| None).collect())
            .collect();
        for from in 0..size {
            let mut row = Vec::with_capacity(size);
            for row_to in &mut receivers {
                let (tx, rx) = channel();
                row.push(Some(tx));
                row_to[from] = Some(rx);
            }
            senders.push(row);
        }
        Ok((0..size)
            .map(|rank| Self {
                rank,
                to: senders[rank].iter_mut().filter_map(Option::take).collect(),
                from: receivers[rank]
                    .iter_mut()
                    .filter_map(Option::take)
                    .map(Mutex::new)
                    .collect(),
            })
            .collect())
    }

    fn post(&self, to: usize, message: Message) -> Result<(), TrainError> {
        self.to
            .get(to)
            .ok_or_else(|| transport(format!("no rank {to}")))?
            .send(message)
            .map_err(|_| transport(format!("rank {to} has left the group")))
    }

    fn take(&self, from: usize) -> Result<Message, TrainError> {
        let receiver = self
            .from
            .get(from)
            .ok_or_else(|| transport(format!("no rank {from}")))?
            .lock()
            .map_err(|_| transport("a receiver's lock is poisoned".into()))?;
        receiver
            .recv()
            .map_err(|_| transport(format!("rank {from} has left the group")))
    }

    fn take_values(&self, from: usize) -> Result<Vec<f64>, TrainError> {
        match self.take(from)? {
            Message::Values(values) => Ok(values),
            Message::Bytes(_) => Err(transport(format!(
                "rank {from} sent bytes where values were expected"
            ))),
        }
    }
}

impl Collective for ThreadGroup {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.to.len()
    }
    fn send(&self, to: usize, data: &[f64]) -> Result<(), TrainError> {
        self.post(to, Message::Values(data.to_vec()))
    }
    fn receive(&self, from: usize, data: &mut [f64]) -> Result<(), TrainError> {
        fill_from(from, &self.take_values(from)?, data)
    }
    fn broadcast(&self, root: usize, data: &mut [f64]) -> Result<(), TrainError> {
        if self.rank == root {
            for r in (0..self.size()).filter(|&r| r != root) {
                self.send(r, data)?;
            }
            Ok(())
        } else {
            self.receive(root, data)
        }
    }
    fn min_all(&self, value: u64) -> Result<u64, TrainError> {
        // gathered on rank 0, which broadcasts the minimum (u64 through f64 bits)
        let mut min = [f64::from_bits(value)];
        if self.rank == 0 {
            let mut best = value;
            for r in 1..self.size() {
                let mut v = [0.0];
                self.receive(r, &mut v)?;
                best = best.min(v[0].to_bits());
            }
            min[0] = f64::from_bits(best);
        } else {
            self.send(0, &min)?;
        }
        self.broadcast(0, &mut min)?;
        Ok(min[0].to_bits())
    }
    fn broadcast_bytes(&self, root: usize, bytes: &mut Vec<u8>) -> Result<(), TrainError> {
        if self.rank == root {
            for r in (0..self.size()).filter(|&r| r != root) {
                self.post(r, Message::Bytes(bytes.clone()))?;
            }
            Ok(())
        } else {
            match self.take(root)? {
                Message::Bytes(b) => {
                    *bytes = b;
                    Ok(())
                }
                Message::Values(_) => Err(transport(format!(
                    "rank {root} sent values where bytes were expected"
                ))),
            }
        }
    }
}

/// The block of chunks `[start, end)` rank `rank` of `size` computes, of `chunks`.
#[must_use]
pub fn chunk_block(chunks: usize, rank: usize, size: usize) -> std::ops::Range<usize> {
    let size = size.max(1);
    (rank * chunks / size)..((rank + 1) * chunks / size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_every_chunk_once_in_order() {
        for chunks in 0..20 {
            for size in 1..6 {
                let all: Vec<usize> = (0..size)
                    .flat_map(|r| chunk_block(chunks, r, size))
                    .collect();
                assert_eq!(all, (0..chunks).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn thread_group_collectives() {
        let group = ThreadGroup::new(3).unwrap();
        let results: Vec<(u64, Vec<f64>, Vec<u8>)> = std::thread::scope(|s| {
            let handles: Vec<_> = group
                .into_iter()
                .map(|g| {
                    s.spawn(move || {
                        let min = g.min_all(10 + g.rank() as u64).unwrap();
                        let mut data = vec![g.rank() as f64; 4];
                        g.broadcast(2, &mut data).unwrap();
                        let mut bytes = if g.rank() == 1 {
                            b"hello".to_vec()
                        } else {
                            vec![]
                        };
                        g.broadcast_bytes(1, &mut bytes).unwrap();
                        (min, data, bytes)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (min, data, bytes) in results {
            assert_eq!(min, 10);
            assert_eq!(data, vec![2.0; 4]);
            assert_eq!(bytes, b"hello");
        }
    }

    #[test]
    fn a_rank_that_leaves_is_an_error_not_a_hang() {
        let mut group = ThreadGroup::new(2).unwrap();
        let second = group.pop().unwrap();
        drop(second);
        let first = group.pop().unwrap();
        let mut data = [0.0];
        assert!(matches!(
            first.receive(1, &mut data),
            Err(TrainError::Distributed { .. })
        ));
        assert!(first.min_all(3).is_err());
        assert!(ThreadGroup::new(0).is_err());
    }
}

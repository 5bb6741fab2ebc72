//! The MPI transport of data-parallel training (cargo feature `mpi`), through the `mpi`
//! crate (rsmpi) and the system's MPI library.

use mpi::collective::SystemOperation;
use mpi::environment::{Threading, Universe};
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Destination, Root, Source};

use crate::TrainError;
use crate::distributed::{Collective, fill_from, transport};

/// The ranks of `MPI_COMM_WORLD`. [`MpiCollective::init`] initialises MPI; dropping the
/// value finalises it (keep it, or the trainer holding it, alive until the end).
#[derive(Debug)]
pub struct MpiCollective {
    _universe: UniverseGuard,
    rank: usize,
    size: usize,
}

/// Holds the MPI environment (finalised on drop).
struct UniverseGuard(#[allow(dead_code, reason = "held for its drop: MPI_Finalize")] Universe);

impl std::fmt::Debug for UniverseGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Universe")
    }
}

fn world() -> SimpleCommunicator {
    SimpleCommunicator::world()
}

fn rank_of(r: usize) -> Result<i32, TrainError> {
    i32::try_from(r).map_err(|_| transport(format!("rank {r} out of range")))
}

impl MpiCollective {
    /// Initialises MPI with serialised threading (MPI is called by one thread at a time,
    /// whichever thread trains), and installs a panic hook that aborts the whole job: a rank
    /// that panicked would otherwise finalise MPI and leave the others waiting for it.
    ///
    /// # Errors
    /// [`TrainError::Distributed`] if MPI is already initialised or does not provide
    /// serialised threading.
    pub fn init() -> Result<Self, TrainError> {
        let (universe, provided) = mpi::initialize_with_threading(Threading::Serialized)
            .ok_or_else(|| transport("MPI is already initialised".into()))?;
        if provided < Threading::Serialized {
            return Err(transport(format!(
                "the MPI library provides {provided:?} threading, serialised is needed"
            )));
        }
        let comm = universe.world();
        let (rank, size) = (comm.rank() as usize, comm.size() as usize);
        if size > 1 {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                previous(info);
                world().abort(101);
            }));
        }
        Ok(Self {
            _universe: UniverseGuard(universe),
            rank,
            size,
        })
    }

    /// Ends the whole job (`MPI_Abort`) with `code`: what a rank does with an error the
    /// others do not share (a file only it could not read), so that nobody waits for it.
    pub fn abort(&self, code: i32) -> ! {
        world().abort(code)
    }
}

impl Collective for MpiCollective {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn send(&self, to: usize, data: &[f64]) -> Result<(), TrainError> {
        world().process_at_rank(rank_of(to)?).send(data);
        Ok(())
    }
    fn receive(&self, from: usize, data: &mut [f64]) -> Result<(), TrainError> {
        let (values, _status) = world().process_at_rank(rank_of(from)?).receive_vec::<f64>();
        fill_from(from, &values, data)
    }
    fn broadcast(&self, root: usize, data: &mut [f64]) -> Result<(), TrainError> {
        world().process_at_rank(rank_of(root)?).broadcast_into(data);
        Ok(())
    }
    fn min_all(&self, value: u64) -> Result<u64, TrainError> {
        let mut min = 0u64;
        world().all_reduce_into(&value, &mut min, SystemOperation::min());
        Ok(min)
    }
    fn broadcast_bytes(&self, root: usize, bytes: &mut Vec<u8>) -> Result<(), TrainError> {
        let comm = world();
        let root = comm.process_at_rank(rank_of(root)?);
        let mut len = bytes.len() as u64;
        root.broadcast_into(&mut len);
        bytes.resize(len as usize, 0);
        root.broadcast_into(&mut bytes[..]);
        Ok(())
    }
}

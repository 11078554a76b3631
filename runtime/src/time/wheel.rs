//! `TimerWheel`: a hierarchical timing wheel, 6 levels × 64 slots, 1 ms per
//! level-0 slot (so level 5 slots are 64⁵ ms ≈ 12.4 days wide and the wheel
//! spans 64⁶ ms ≈ 2.2 years; later deadlines are clamped).
//!
//! A timer goes in the lowest level whose slot width still separates its
//! deadline from "now" (`elapsed`): due within 64 ms → level 0, within
//! 64² ms → level 1, ... As time passes, a higher-level slot expires and its
//! timers *cascade*: each is either due (fired) or re-inserted at a lower
//! level, closer to the ground.
//!
//! Each level keeps a `u64` bitmap of non-empty slots, so "when is the next
//! timer?" is a rotate and a `trailing_zeros` per level, not a scan.
//!
//! Timers live in a slab (`Vec<Entry>` plus a free list); each slot is a
//! doubly linked list threaded through the slab by index, so insert and
//! cancel are O(1) and there is no `unsafe` here.
//!
//! `poll_expired(now, wake_list)` is tokio's `process_at_time` loop: expire
//! every slot due by `now`, `fire()` each due entry (taking its waker into
//! the wake list) and re-insert the rest. The driver wakes the list after
//! releasing the lock.

use std::task::Waker;

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const SLOT_BITS: u32 = 6;
/// Furthest representable deadline, in ms from `elapsed`.
pub(crate) const MAX_DURATION: u64 = (1 << (SLOT_BITS as u64 * LEVELS as u64)) - 1;
const NIL: u32 = u32::MAX;

pub(crate) struct TimerWheel {
    /// The wheel's notion of now, in ms since the driver started. Every
    /// registered timer is strictly later than this.
    elapsed: u64,
    levels: [Level; LEVELS],
    entries: Vec<Entry>,
    free_head: u32,
    len: usize,
}

struct Level {
    level: usize,
    /// Bit `i` set ⇔ `slots[i]` is non-empty.
    occupied: u64,
    slots: [List; SLOTS],
}

#[derive(Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
}

struct Entry {
    deadline: u64,
    prev: u32,
    next: u32,
    generation: u32,
    state: EntryState,
    waker: Option<Waker>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum EntryState {
    /// In the free list (`next` links free entries).
    Free,
    /// Linked into `levels[level].slots[slot]`.
    Scheduled { level: u8, slot: u8 },
    /// Deadline reached; waiting for its owner to notice and remove it.
    Fired,
}

/// Names one registered timer. The generation makes a stale key harmless.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TimerKey {
    index: u32,
    generation: u32,
}

/// The next slot to expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expiration {
    level: usize,
    slot: usize,
    deadline: u64,
}

impl TimerWheel {
    pub(crate) fn new() -> TimerWheel {
        TimerWheel {
            elapsed: 0,
            levels: std::array::from_fn(|level| Level {
                level,
                occupied: 0,
                slots: [List {
                    head: NIL,
                    tail: NIL,
                }; SLOTS],
            }),
            entries: Vec::new(),
            free_head: NIL,
            len: 0,
        }
    }

    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Number of scheduled (not yet fired) timers.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Register a timer for `deadline` (ms). `Err(())` if it is already due:
    /// the caller treats it as fired, nothing is stored.
    pub(crate) fn insert(&mut self, deadline: u64, waker: Option<Waker>) -> Result<TimerKey, ()> {
        if deadline <= self.elapsed {
            return Err(());
        }
        let deadline = deadline.min(self.elapsed + MAX_DURATION);
        let index = self.alloc(deadline, waker);
        self.link(index);
        self.len += 1;
        Ok(TimerKey {
            index,
            generation: self.entries[index as usize].generation,
        })
    }

    /// Cancel (if scheduled) and forget a timer. Stale keys are ignored.
    pub(crate) fn remove(&mut self, key: TimerKey) {
        let Some(entry) = self.get(key) else { return };
        if let EntryState::Scheduled { .. } = entry.state {
            self.unlink(key.index);
            self.len -= 1;
        }
        self.free(key.index);
    }

    pub(crate) fn is_fired(&self, key: TimerKey) -> bool {
        self.get(key).is_none_or(|e| e.state == EntryState::Fired)
    }

    /// Store the waker to use when the timer fires (if it has not yet).
    pub(crate) fn set_waker(&mut self, key: TimerKey, waker: &Waker) {
        if let Some(entry) = self.get_mut(key) {
            match &entry.waker {
                Some(w) if w.will_wake(waker) => {}
                _ => entry.waker = Some(waker.clone()),
            }
        }
    }

    /// When (in ms) the earliest timer is due, if any.
    pub(crate) fn next_expiration_time(&self) -> Option<u64> {
        self.next_expiration().map(|e| e.deadline)
    }

    /// Advance to `now`, firing everything due: each fired entry's waker is
    /// pushed to `wake_list`. Returns how many timers fired.
    pub(crate) fn poll_expired(&mut self, now: u64, wake_list: &mut Vec<Waker>) -> usize {
        let mut fired = 0;
        while let Some(expiration) = self.next_expiration() {
            if expiration.deadline > now {
                break;
            }
            fired += self.process_expiration(expiration, wake_list);
        }
        self.elapsed = self.elapsed.max(now);
        fired
    }

    /// Drop every timer, returning the wakers (shutdown; they are dropped,
    /// not woken, by the caller).
    pub(crate) fn clear(&mut self) -> Vec<Waker> {
        let wakers = self
            .entries
            .iter_mut()
            .filter_map(|e| e.waker.take())
            .collect();
        *self = TimerWheel {
            elapsed: self.elapsed,
            ..TimerWheel::new()
        };
        wakers
    }

    /// Earliest non-empty slot, looking from level 0 up: a lower level's
    /// timers are always due before any higher level's slot starts.
    fn next_expiration(&self) -> Option<Expiration> {
        self.levels
            .iter()
            .find_map(|level| level.next_expiration(self.elapsed))
    }

    /// Take the slot out of the wheel, fire what is due, cascade the rest.
    fn process_expiration(&mut self, expiration: Expiration, wake_list: &mut Vec<Waker>) -> usize {
        let level = &mut self.levels[expiration.level];
        let list = std::mem::replace(
            &mut level.slots[expiration.slot],
            List {
                head: NIL,
                tail: NIL,
            },
        );
        level.occupied &= !(1 << expiration.slot);
        self.elapsed = self.elapsed.max(expiration.deadline);

        let mut fired = 0;
        let mut next = list.head;
        while next != NIL {
            let index = next;
            let entry = &mut self.entries[index as usize];
            next = entry.next;
            if entry.deadline <= self.elapsed {
                // The waker goes to the wake list; the driver wakes it after
                // releasing the lock.
                if let Some(waker) = entry.fire() {
                    wake_list.push(waker);
                }
                self.len -= 1;
                fired += 1;
            } else {
                self.link(index);
            }
        }
        fired
    }

    fn link(&mut self, index: u32) {
        let deadline = self.entries[index as usize].deadline;
        let level = level_for(self.elapsed, deadline);
        let slot = slot_for(deadline, level);
        let lvl = &mut self.levels[level];
        let list = &mut lvl.slots[slot];
        let old_tail = list.tail;
        list.tail = index;
        if old_tail == NIL {
            list.head = index;
        }
        lvl.occupied |= 1 << slot;
        if old_tail != NIL {
            self.entries[old_tail as usize].next = index;
        }
        let entry = &mut self.entries[index as usize];
        entry.prev = old_tail;
        entry.next = NIL;
        entry.state = EntryState::Scheduled {
            level: level as u8,
            slot: slot as u8,
        };
    }

    fn unlink(&mut self, index: u32) {
        let entry = &self.entries[index as usize];
        let EntryState::Scheduled { level, slot } = entry.state else {
            unreachable!("unlink of an unscheduled timer")
        };
        let (prev, next) = (entry.prev, entry.next);
        let lvl = &mut self.levels[level as usize];
        let list = &mut lvl.slots[slot as usize];
        if prev == NIL {
            list.head = next;
        }
        if next == NIL {
            list.tail = prev;
        }
        if list.head == NIL {
            lvl.occupied &= !(1 << slot);
        }
        if prev != NIL {
            self.entries[prev as usize].next = next;
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        }
    }

    fn alloc(&mut self, deadline: u64, waker: Option<Waker>) -> u32 {
        if self.free_head == NIL {
            let index = u32::try_from(self.entries.len()).expect("too many timers");
            assert!(index != NIL, "too many timers");
            self.entries.push(Entry {
                deadline,
                prev: NIL,
                next: NIL,
                generation: 0,
                state: EntryState::Free,
                waker,
            });
            index
        } else {
            let index = self.free_head;
            let entry = &mut self.entries[index as usize];
            self.free_head = entry.next;
            entry.deadline = deadline;
            entry.waker = waker;
            index
        }
    }

    fn free(&mut self, index: u32) {
        let entry = &mut self.entries[index as usize];
        entry.state = EntryState::Free;
        entry.waker = None;
        entry.generation = entry.generation.wrapping_add(1);
        entry.prev = NIL;
        entry.next = self.free_head;
        self.free_head = index;
    }

    fn get(&self, key: TimerKey) -> Option<&Entry> {
        self.entries
            .get(key.index as usize)
            .filter(|e| e.generation == key.generation && e.state != EntryState::Free)
    }

    fn get_mut(&mut self, key: TimerKey) -> Option<&mut Entry> {
        self.entries
            .get_mut(key.index as usize)
            .filter(|e| e.generation == key.generation && e.state != EntryState::Free)
    }
}

impl Entry {
    /// The deadline is reached: mark the entry fired (its `Sleep` will see
    /// that on its next poll) and hand back the waker to wake.
    fn fire(&mut self) -> Option<Waker> {
        self.state = EntryState::Fired;
        self.prev = NIL;
        self.next = NIL;
        self.waker.take()
    }
}

impl Level {
    fn next_expiration(&self, now: u64) -> Option<Expiration> {
        let slot = self.next_occupied_slot(now)?;
        let level_range = level_range(self.level);
        let slot_range = slot_range(self.level);
        let level_start = now & !(level_range - 1);
        let mut deadline = level_start + slot as u64 * slot_range;
        if deadline <= now {
            // The slot is "behind" now. Timers only land in slots ahead of
            // `elapsed`, except at the top level, where a clamped far-future
            // timer wraps around: it belongs to the next rotation.
            debug_assert_eq!(self.level, LEVELS - 1);
            deadline += level_range;
        }
        Some(Expiration {
            level: self.level,
            slot,
            deadline,
        })
    }

    /// First occupied slot at or after the one containing `now`, wrapping.
    fn next_occupied_slot(&self, now: u64) -> Option<usize> {
        if self.occupied == 0 {
            return None;
        }
        let now_slot = (now / slot_range(self.level)) as u32 % SLOTS as u32;
        let rotated = self.occupied.rotate_right(now_slot);
        let zeros = rotated.trailing_zeros();
        Some((zeros + now_slot) as usize % SLOTS)
    }
}

/// Width of one slot at `level`, in ms.
fn slot_range(level: usize) -> u64 {
    (SLOTS as u64).pow(level as u32)
}

/// Span of a whole level, in ms.
fn level_range(level: usize) -> u64 {
    SLOTS as u64 * slot_range(level)
}

/// The level whose slots first tell `elapsed` and `when` apart: the highest
/// 6-bit digit in which they differ.
fn level_for(elapsed: u64, when: u64) -> usize {
    const SLOT_MASK: u64 = (1 << SLOT_BITS) - 1;
    let mut masked = (elapsed ^ when) | SLOT_MASK;
    if masked >= MAX_DURATION {
        masked = MAX_DURATION - 1;
    }
    let significant = 63 - masked.leading_zeros() as usize;
    significant / SLOT_BITS as usize
}

fn slot_for(when: u64, level: usize) -> usize {
    ((when >> (level as u32 * SLOT_BITS)) & (SLOTS as u64 - 1)) as usize
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn fire_all(wheel: &mut TimerWheel, now: u64) -> usize {
        let mut list = Vec::new();
        wheel.poll_expired(now, &mut list)
    }

    #[test]
    fn levels_by_distance() {
        assert_eq!(level_for(0, 1), 0);
        assert_eq!(level_for(0, 63), 0);
        assert_eq!(level_for(0, 64), 1);
        assert_eq!(level_for(0, 64 * 64 - 1), 1);
        assert_eq!(level_for(0, 64 * 64), 2);
        assert_eq!(level_for(0, MAX_DURATION), 5);
        // Same 64 ms block but different slot: level 0.
        assert_eq!(level_for(130, 140), 0);
        // Crossing a level-0 block boundary: level 1.
        assert_eq!(level_for(63, 64), 1);
    }

    #[test]
    fn fires_exactly_at_deadline_across_levels() {
        for deadline in [1, 5, 63, 64, 65, 100, 4095, 4096, 5000, 300_000, 20_000_000] {
            let mut wheel = TimerWheel::new();
            let key = wheel.insert(deadline, None).unwrap();
            assert_eq!(
                wheel.next_expiration_time().map(|t| t <= deadline),
                Some(true)
            );
            assert_eq!(fire_all(&mut wheel, deadline - 1), 0, "early at {deadline}");
            assert!(!wheel.is_fired(key));
            assert_eq!(fire_all(&mut wheel, deadline), 1, "late at {deadline}");
            assert!(wheel.is_fired(key));
            assert_eq!(wheel.len(), 0);
            wheel.remove(key);
        }
    }

    #[test]
    fn next_expiration_is_the_earliest() {
        let mut wheel = TimerWheel::new();
        wheel.insert(5000, None).unwrap();
        wheel.insert(70, None).unwrap();
        wheel.insert(300, None).unwrap();
        assert_eq!(wheel.next_expiration_time(), Some(64)); // start of 70's level-1 slot
        assert_eq!(fire_all(&mut wheel, 69), 0);
        assert_eq!(wheel.next_expiration_time(), Some(70)); // cascaded to level 0
        assert_eq!(fire_all(&mut wheel, 70), 1);
        assert_eq!(fire_all(&mut wheel, 4999), 1);
        assert_eq!(fire_all(&mut wheel, 5000), 1);
        assert_eq!(wheel.next_expiration_time(), None);
    }

    #[test]
    fn already_due_is_rejected_and_far_future_is_clamped() {
        let mut wheel = TimerWheel::new();
        fire_all(&mut wheel, 1000);
        assert!(wheel.insert(1000, None).is_err());
        let key = wheel.insert(u64::MAX, None).unwrap();
        assert!(wheel.next_expiration_time().unwrap() <= 1000 + MAX_DURATION);
        assert_eq!(fire_all(&mut wheel, 1000 + MAX_DURATION), 1);
        assert!(wheel.is_fired(key));
    }

    #[test]
    fn cancel_unlinks_and_stale_keys_are_ignored() {
        let mut wheel = TimerWheel::new();
        let a = wheel.insert(10, None).unwrap();
        let b = wheel.insert(10, None).unwrap();
        let c = wheel.insert(10, None).unwrap();
        wheel.remove(b);
        wheel.remove(b); // stale: no effect
        let d = wheel.insert(20, None).unwrap(); // reuses b's slot, new generation
        assert!(!wheel.is_fired(d));
        assert_eq!(fire_all(&mut wheel, 10), 2);
        assert!(wheel.is_fired(a) && wheel.is_fired(c) && !wheel.is_fired(d));
        wheel.remove(a);
        wheel.remove(c);
        wheel.remove(d);
        assert_eq!(wheel.len(), 0);
        assert_eq!(wheel.next_expiration_time(), None);
    }

    #[test]
    fn random_deadlines_fire_in_order() {
        // A small deterministic LCG: deadlines spread over several levels.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut wheel = TimerWheel::new();
        let mut deadlines = Vec::new();
        for _ in 0..500 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let d = 1 + (x >> 33) % 1_000_000;
            wheel.insert(d, None).unwrap();
            deadlines.push(d);
        }
        deadlines.sort_unstable();
        let mut now = 0;
        let mut fired = 0;
        while let Some(next) = wheel.next_expiration_time() {
            assert!(next > now || next == wheel.elapsed(), "time went backwards");
            now = next;
            fired += fire_all(&mut wheel, now);
            // Everything due by `now` fired, nothing later did.
            assert_eq!(fired, deadlines.partition_point(|&d| d <= now));
        }
        assert_eq!(fired, 500);
    }

    #[test]
    fn a_million_timers_registered_and_cancelled() {
        let n = if cfg!(miri) { 1_000 } else { 1_000_000 };
        let mut wheel = TimerWheel::new();
        let mut keys = Vec::with_capacity(1024);
        let mut x: u64 = 7;
        for i in 0..n {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            keys.push(wheel.insert(1 + (x >> 40) % 10_000_000, None).unwrap());
            if keys.len() == 1024 || i == n - 1 {
                for key in keys.drain(..) {
                    wheel.remove(key);
                }
            }
        }
        assert_eq!(wheel.len(), 0);
        assert_eq!(wheel.next_expiration_time(), None);
        // The slab was reused, not grown a million times.
        assert!(wheel.entries.len() <= 1024);
    }
}

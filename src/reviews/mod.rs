//! Learning from serious cases: notifications, rapid reviews, local reviews and the learning
//! loop. This first part holds the statutory timelines as editions (`model`); the case record,
//! its workflow and pages follow.

pub mod model;

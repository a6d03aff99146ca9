//! `/ecole/…`: the driving school's list of demandes, its stepper, and its answer to a complement.

pub mod complement;
pub mod demandes;
pub mod etape;

//! `/ecole/…`: the driving school's list of demandes and its stepper.

pub mod demandes;
pub mod etape;

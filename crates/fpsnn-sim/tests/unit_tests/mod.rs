mod bad_input;
mod closed_form;
mod consistency;
mod properties;
mod sparse;

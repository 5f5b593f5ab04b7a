//! Integration tests: every storage test runs on SQLite and on PostgreSQL.

mod support;

mod accounts;
mod api;
mod arrangements;
mod arrangements_two;
mod assurance;
mod attacks;
mod audited;
mod browser;
mod case_work;
mod charts;
mod cli;
mod home;
mod layers;
mod mail;
mod markup;
mod meetings;
mod papers;
mod permissions;
mod procedures;
mod public_site;
mod returns;
mod reviews;
mod scorecard;
mod security;
mod storage;
mod task_lists;
mod thresholds;
mod training;

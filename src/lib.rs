//! masa: the system a safeguarding children partnership runs on.

pub mod access;
pub mod accounts;
pub mod actions;
pub mod api;
pub mod app;
pub mod arrangements;
pub mod assurance;
pub mod audit;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod demo;
pub mod files;
pub mod health;
pub mod home;
pub mod mail;
pub mod meetings;
pub mod partnerships;
pub mod pdf;
pub mod procedures;
pub mod reviews;
pub mod search;
pub mod server;
pub mod state;
pub mod store;
pub mod web;

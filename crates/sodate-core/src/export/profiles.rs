//! Export profiles: the columns, headers, limits and formats each mail tool expects.
//!
//! Sources for the limits: Mailchimp text merge fields hold 255 bytes and its address zip
//! expects a US 5-digit code (Japanese postal codes go into a text column); Brevo reads
//! UTF-8 (or Windows-1252, which cannot hold Japanese) and wants SMS numbers with the
//! country code; HubSpot imports UTF-8 only; blastmail and other Japanese tools read
//! Shift_JIS CSVs; Benchmark Email recommends Excel files.

use serde::{Deserialize, Serialize};

use crate::import::TextEncoding;

/// A column of an export: `Field` in this module; named `ExportField` so that it does not
/// clash over IPC with the import's `mapping::Field`.
pub type Field = ExportField;

/// A value of a lead that a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ExportField {
    Email,
    FamilyName,
    GivenName,
    FullName,
    FamilyReading,
    GivenReading,
    FullReading,
    CompanyName,
    CompanyReading,
    Department,
    Title,
    Phone,
    Mobile,
    /// Mobile (else phone) as international digits without `+` (81 90 …), for SMS columns.
    SmsNumber,
    PostalCode,
    Prefecture,
    Address,
    Website,
    Notes,
    Tags,
    Source,
    LifecycleStage,
    Grade,
    EngagementScore,
    FitScore,
    ConsentState,
    CreatedAt,
    LeadId,
}

impl ExportField {
    pub const ALL: [Field; 28] = [
        Field::Email,
        Field::FamilyName,
        Field::GivenName,
        Field::FullName,
        Field::FamilyReading,
        Field::GivenReading,
        Field::FullReading,
        Field::CompanyName,
        Field::CompanyReading,
        Field::Department,
        Field::Title,
        Field::Phone,
        Field::Mobile,
        Field::SmsNumber,
        Field::PostalCode,
        Field::Prefecture,
        Field::Address,
        Field::Website,
        Field::Notes,
        Field::Tags,
        Field::Source,
        Field::LifecycleStage,
        Field::Grade,
        Field::EngagementScore,
        Field::FitScore,
        Field::ConsentState,
        Field::CreatedAt,
        Field::LeadId,
    ];

    /// Stable code (`email`, `family_name` …).
    pub fn code(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::FamilyName => "family_name",
            Field::GivenName => "given_name",
            Field::FullName => "full_name",
            Field::FamilyReading => "family_reading",
            Field::GivenReading => "given_reading",
            Field::FullReading => "full_reading",
            Field::CompanyName => "company_name",
            Field::CompanyReading => "company_reading",
            Field::Department => "department",
            Field::Title => "title",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::SmsNumber => "sms_number",
            Field::PostalCode => "postal_code",
            Field::Prefecture => "prefecture",
            Field::Address => "address",
            Field::Website => "website",
            Field::Notes => "notes",
            Field::Tags => "tags",
            Field::Source => "source",
            Field::LifecycleStage => "lifecycle_stage",
            Field::Grade => "grade",
            Field::EngagementScore => "engagement_score",
            Field::FitScore => "fit_score",
            Field::ConsentState => "consent_state",
            Field::CreatedAt => "created_at",
            Field::LeadId => "lead_id",
        }
    }

    pub fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Numbers are written as numbers (XLSX) and never need protection.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Field::EngagementScore | Field::FitScore | Field::LeadId
        )
    }

    /// The Japanese header of the generic profile: the import's own labels wherever it has
    /// one, so that Sodate maps its own exports back without help.
    pub fn label_ja(self) -> String {
        use crate::import::mapping::Field as In;
        let imported = match self {
            Field::Email => Some(In::Email),
            Field::FamilyName => Some(In::FamilyName),
            Field::GivenName => Some(In::GivenName),
            Field::FullName => Some(In::FullName),
            Field::FamilyReading => Some(In::FamilyReading),
            Field::GivenReading => Some(In::GivenReading),
            Field::FullReading => Some(In::FullReading),
            Field::CompanyName => Some(In::CompanyName),
            Field::CompanyReading => Some(In::CompanyReading),
            Field::Department => Some(In::Department),
            Field::Title => Some(In::Title),
            Field::Phone => Some(In::Phone),
            Field::Mobile => Some(In::Mobile),
            Field::PostalCode => Some(In::PostalCode),
            Field::Prefecture => Some(In::Prefecture),
            Field::Address => Some(In::Address),
            Field::Website => Some(In::Website),
            Field::Notes => Some(In::Notes),
            Field::Tags => Some(In::Tags),
            _ => None,
        };
        if let Some(f) = imported {
            return f.label_ja().to_string();
        }
        let own = match self {
            Field::SmsNumber => "SMS番号",
            Field::Source => "獲得経路",
            Field::LifecycleStage => "ステージ",
            Field::Grade => "グレード",
            Field::EngagementScore => "行動スコア",
            Field::FitScore => "属性スコア",
            Field::ConsentState => "配信同意",
            Field::CreatedAt => "登録日時",
            Field::LeadId => "リードID",
            _ => "",
        };
        own.to_string()
    }
}

/// The mail tools Sodate writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProfileId {
    Mailchimp,
    Brevo,
    Benchmark,
    Blastmail,
    Hubspot,
    Generic,
}

impl ProfileId {
    pub const ALL: [ProfileId; 6] = [
        ProfileId::Mailchimp,
        ProfileId::Brevo,
        ProfileId::Benchmark,
        ProfileId::Blastmail,
        ProfileId::Hubspot,
        ProfileId::Generic,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProfileId::Mailchimp => "mailchimp",
            ProfileId::Brevo => "brevo",
            ProfileId::Benchmark => "benchmark",
            ProfileId::Blastmail => "blastmail",
            ProfileId::Hubspot => "hubspot",
            ProfileId::Generic => "generic",
        }
    }

    /// Accepts the codes and the tools' names (`Benchmark Email`, `HubSpot` …).
    pub fn parse(text: &str) -> Option<ProfileId> {
        let key: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .flat_map(|c| c.to_lowercase())
            .collect();
        match key.as_str() {
            "mailchimp" => Some(ProfileId::Mailchimp),
            "brevo" | "sendinblue" => Some(ProfileId::Brevo),
            "benchmark" | "benchmarkemail" => Some(ProfileId::Benchmark),
            "blastmail" => Some(ProfileId::Blastmail),
            "hubspot" | "hubspotimport" => Some(ProfileId::Hubspot),
            "generic" | "sodate" => Some(ProfileId::Generic),
            _ => None,
        }
    }

    pub fn profile(self) -> Profile {
        use ExportField::*;
        match self {
            ProfileId::Mailchimp => Profile {
                id: self,
                name: "Mailchimp",
                columns: vec![
                    Email,
                    GivenName,
                    FamilyName,
                    CompanyName,
                    Phone,
                    PostalCode,
                    Prefecture,
                ],
                requires_email: true,
                max_field_bytes: Some(255),
                encodings: &[TextEncoding::Utf8Bom, TextEncoding::Utf8],
                default_encoding: TextEncoding::Utf8,
            },
            ProfileId::Brevo => Profile {
                id: self,
                name: "Brevo",
                columns: vec![Email, FamilyName, GivenName, CompanyName, SmsNumber],
                requires_email: true,
                max_field_bytes: None,
                encodings: &[TextEncoding::Utf8, TextEncoding::Utf8Bom],
                default_encoding: TextEncoding::Utf8,
            },
            ProfileId::Benchmark => Profile {
                id: self,
                name: "Benchmark Email",
                columns: vec![
                    Email,
                    FamilyName,
                    GivenName,
                    CompanyName,
                    Department,
                    Title,
                    Phone,
                ],
                requires_email: true,
                max_field_bytes: None,
                encodings: &[
                    TextEncoding::Utf8Bom,
                    TextEncoding::Utf8,
                    TextEncoding::ShiftJis,
                ],
                default_encoding: TextEncoding::Utf8Bom,
            },
            ProfileId::Blastmail => Profile {
                id: self,
                name: "blastmail",
                columns: vec![Email, FullName, CompanyName, Department, Title],
                requires_email: true,
                max_field_bytes: None,
                encodings: &[
                    TextEncoding::ShiftJis,
                    TextEncoding::Utf8Bom,
                    TextEncoding::Utf8,
                ],
                default_encoding: TextEncoding::ShiftJis,
            },
            ProfileId::Hubspot => Profile {
                id: self,
                name: "HubSpot",
                columns: vec![
                    Email,
                    FamilyName,
                    GivenName,
                    CompanyName,
                    Title,
                    Phone,
                    Mobile,
                    PostalCode,
                    Prefecture,
                    Address,
                    Website,
                ],
                requires_email: true,
                max_field_bytes: None,
                encodings: &[TextEncoding::Utf8, TextEncoding::Utf8Bom],
                default_encoding: TextEncoding::Utf8,
            },
            ProfileId::Generic => Profile {
                id: self,
                name: "Sodate (generic)",
                columns: vec![
                    Email,
                    FamilyName,
                    GivenName,
                    FamilyReading,
                    GivenReading,
                    CompanyName,
                    CompanyReading,
                    Department,
                    Title,
                    Phone,
                    Mobile,
                    PostalCode,
                    Prefecture,
                    Address,
                    Website,
                    Tags,
                ],
                requires_email: false,
                max_field_bytes: None,
                encodings: &[
                    TextEncoding::Utf8Bom,
                    TextEncoding::Utf8,
                    TextEncoding::ShiftJis,
                ],
                default_encoding: TextEncoding::Utf8Bom,
            },
        }
    }
}

/// What a profile writes.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: ProfileId,
    pub name: &'static str,
    /// The default columns, in order.
    pub columns: Vec<Field>,
    /// Rows without an email are left out (every mail tool keys on it).
    pub requires_email: bool,
    /// The longest text value in bytes (UTF-8) the tool stores.
    pub max_field_bytes: Option<usize>,
    /// The text encodings the tool reads, the first one preferred.
    pub encodings: &'static [TextEncoding],
    pub default_encoding: TextEncoding,
}

impl Profile {
    /// The header of `field` in this tool's import.
    pub fn header(&self, field: Field) -> String {
        use ExportField::*;
        let en = |s: &str| s.to_string();
        match (self.id, field) {
            (ProfileId::Mailchimp, Email) => en("Email Address"),
            (ProfileId::Mailchimp, GivenName) => en("First Name"),
            (ProfileId::Mailchimp, FamilyName) => en("Last Name"),
            (ProfileId::Mailchimp, CompanyName) => en("Company"),
            (ProfileId::Mailchimp, Phone) => en("Phone Number"),
            // A text merge field: Mailchimp's address zip takes US 5-digit codes only.
            (ProfileId::Mailchimp, PostalCode) => en("Postal Code (text)"),
            (ProfileId::Mailchimp, Prefecture) => en("Prefecture"),
            (ProfileId::Brevo, Email) => en("EMAIL"),
            (ProfileId::Brevo, FamilyName) => en("LASTNAME"),
            (ProfileId::Brevo, GivenName) => en("FIRSTNAME"),
            (ProfileId::Brevo, CompanyName) => en("COMPANY"),
            (ProfileId::Brevo, SmsNumber) => en("SMS"),
            (ProfileId::Benchmark, Email) => en("Email"),
            (ProfileId::Benchmark, FamilyName) => en("Last Name"),
            (ProfileId::Benchmark, GivenName) => en("First Name"),
            (ProfileId::Benchmark, CompanyName) => en("Company"),
            (ProfileId::Benchmark, Department) => en("Department"),
            (ProfileId::Benchmark, Title) => en("Job Title"),
            (ProfileId::Benchmark, Phone) => en("Phone"),
            (ProfileId::Blastmail, Email) => en("メールアドレス"),
            (ProfileId::Blastmail, FullName) => en("氏名"),
            (ProfileId::Blastmail, CompanyName) => en("会社名"),
            (ProfileId::Blastmail, Department) => en("部署名"),
            (ProfileId::Blastmail, Title) => en("役職"),
            (ProfileId::Hubspot, Email) => en("Email"),
            (ProfileId::Hubspot, FamilyName) => en("Last Name"),
            (ProfileId::Hubspot, GivenName) => en("First Name"),
            (ProfileId::Hubspot, CompanyName) => en("Company Name"),
            (ProfileId::Hubspot, Title) => en("Job Title"),
            (ProfileId::Hubspot, Phone) => en("Phone Number"),
            (ProfileId::Hubspot, Mobile) => en("Mobile Phone Number"),
            (ProfileId::Hubspot, PostalCode) => en("Postal Code"),
            (ProfileId::Hubspot, Prefecture) => en("State/Region"),
            (ProfileId::Hubspot, Address) => en("Street Address"),
            (ProfileId::Hubspot, Website) => en("Website URL"),
            _ => field.label_ja(),
        }
    }
}

/// A profile as the export dialog lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProfileInfo {
    pub id: ProfileId,
    pub name: String,
    pub columns: Vec<ColumnInfo>,
    pub encodings: Vec<TextEncoding>,
    pub default_encoding: TextEncoding,
    pub requires_email: bool,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub max_field_bytes: Option<u32>,
}

/// A column the user can choose, with its header in the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ColumnInfo {
    pub field: Field,
    pub header: String,
    /// In the profile's default selection.
    pub default: bool,
}

/// Every profile with its columns: the default ones first, in order, then every other field.
pub fn profiles() -> Vec<ProfileInfo> {
    ProfileId::ALL
        .into_iter()
        .map(|id| {
            let p = id.profile();
            let mut columns: Vec<ColumnInfo> = p
                .columns
                .iter()
                .map(|&f| ColumnInfo {
                    field: f,
                    header: p.header(f),
                    default: true,
                })
                .collect();
            columns.extend(
                Field::ALL
                    .into_iter()
                    .filter(|f| !p.columns.contains(f))
                    .map(|f| ColumnInfo {
                        field: f,
                        header: p.header(f),
                        default: false,
                    }),
            );
            ProfileInfo {
                id,
                name: p.name.to_string(),
                columns,
                encodings: p.encodings.to_vec(),
                default_encoding: p.default_encoding,
                requires_email: p.requires_email,
                max_field_bytes: p.max_field_bytes.map(|b| b as u32),
            }
        })
        .collect()
}

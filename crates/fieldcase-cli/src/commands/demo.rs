//! `fieldcase demo seed`: sites and inspections to try the app with (sample certificate
//! checks are marked as such; see `fieldcase_device::demo`).

use fieldcase_core::inspection::Outcome;
use fieldcase_core::site::NewSite;
use fieldcase_core::uscc::with_check_character;
use fieldcase_device::OpenMode;
use fieldcase_device::demo::{answer_all, check_two_officers};

use super::Context;
use crate::output::{Failure, print};

struct DemoSite {
    name: &'static str,
    uscc17: &'static str,
    address: &'static str,
    project: &'static str,
    contractor: &'static str,
}

const SITES: &[DemoSite] = &[
    DemoSite {
        name: "浙江恒筑建设集团有限公司",
        uscc17: "91330106MA2B3C4D5",
        address: "杭州市西湖区文三路 478 号",
        project: "文三路人才公寓二期工程",
        contractor: "浙江恒筑建设集团有限公司",
    },
    DemoSite {
        name: "杭州立信装饰工程有限公司",
        uscc17: "91330106MA27Q8R9T",
        address: "杭州市西湖区转塘街道象山路 22 号",
        project: "象山艺术公社室内装修工程",
        contractor: "中天建设集团有限公司",
    },
    DemoSite {
        name: "杭州城西市政工程有限公司",
        uscc17: "91330106704213856",
        address: "杭州市西湖区留下街道屏峰路 9 号",
        project: "屏峰路雨污分流改造工程",
        contractor: "杭州城西市政工程有限公司",
    },
];

pub fn seed(ctx: &Context) -> Result<(), Failure> {
    let mut device = ctx.open(OpenMode::CreateIfMissing)?;
    if !device.sites()?.is_empty() {
        print(ctx.json, &serde_json::json!({ "seeded": false }), |_| {
            "the data directory already has sites; nothing seeded".into()
        });
        return Ok(());
    }
    let mut sites = Vec::new();
    for s in SITES {
        let uscc = with_check_character(s.uscc17).expect("demo codes use the code alphabet");
        sites.push(device.add_site(NewSite {
            name: s.name.into(),
            uscc,
            address: Some(s.address.into()),
            project_name: Some(s.project.into()),
            general_contractor: Some(s.contractor.into()),
        })?);
    }

    // A clean inspection, finalized.
    let clean = device.new_inspection(sites[0].id, None, Some("项目部二楼会议室".into()))?;
    answer_all(&mut device, clean.id, &[])?;
    check_two_officers(&mut device, clean.id)?;
    device.finalize(clean.id, None)?;

    // Two findings, ordered to be put right.
    let order = device.new_inspection(sites[1].id, None, Some("施工现场入口".into()))?;
    answer_all(&mut device, order.id, &["notice_board", "ledgers"])?;
    device.add_finding(order.id, "工资支付台账缺少 2026 年 9 月、10 月记录")?;
    check_two_officers(&mut device, order.id)?;
    let deadline = (device.now() + chrono::Duration::days(15)).date_naive();
    device.finalize(order.id, Some(Outcome::RectificationOrder { deadline }))?;

    // A draft in progress.
    let draft = device.new_inspection(sites[2].id, None, Some("3 号工区".into()))?;
    device.answer(draft.id, "wage_account", "yes")?;
    device.answer(draft.id, "real_name", "yes")?;

    let summary = device.inspections()?;
    print(ctx.json, &summary, |s| {
        format!("seeded {} sites and {} inspections in {}", sites.len(), s.len(), ctx.data_dir.display())
    });
    Ok(())
}
